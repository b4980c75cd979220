package chat

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tincan/core/store"
)

// setBatchHook installs h for the test; set it before any manager starts.
func setBatchHook(t *testing.T, h func(m *Manager, msgs int, committed bool)) {
	batchHook = h
	t.Cleanup(func() { batchHook = nil })
}

// TestBurstArrivesOnceInOrderWithGroupCommit: a burst already queued is
// committed by the receiver in groups (some batch holds more than one
// message), and after the session is cut mid-burst and resent, every
// message is in the receiver's history exactly once and in order, and every
// one is delivered at the sender.
func TestBurstArrivesOnceInOrderWithGroupCommit(t *testing.T) {
	checkGoroutines(t)
	var a, b *node
	var biggest, committedMsgs atomic.Int64
	setBatchHook(t, func(m *Manager, msgs int, committed bool) {
		if m != b.m || !committed {
			return
		}
		committedMsgs.Add(int64(msgs))
		for {
			old := biggest.Load()
			if int64(msgs) <= old || biggest.CompareAndSwap(old, int64(msgs)) {
				break
			}
		}
	})
	a, b = newNode(t, "alice"), newNode(t, "bob") // after the hook: their cleanup runs first
	bAtA, aAtB := a.know(b), b.know(a)
	const n = 3000
	want := bodiesN("burst", n)
	for _, body := range want { // queued before the manager runs: one burst
		a.enqueue(bAtA, body)
	}
	b.start()
	a.start()

	waitFor(t, "bob to hold a third of the burst", func() bool { return committedMsgs.Load() >= n/3 })
	a.m.mu.Lock()
	p := a.m.peers[bAtA.ID]
	a.m.mu.Unlock()
	if p == nil {
		t.Fatal("alice has no peer for bob while sending to him")
	}
	if s := p.live.Load(); s != nil {
		s.raw.Close() // cut mid-burst: what was in flight is sent again
	}

	waitProgress(t, "every message received and acknowledged", func() (int, bool) {
		got := len(b.rec.received()) + a.rec.count(store.Delivered)
		return got, got == 2*n
	})
	checkReceived(t, b, aAtB, want)
	checkDelivered(t, a, bAtA, n)
	if biggest.Load() < 2 {
		t.Errorf("bob never committed more than %d message at once, want groups", biggest.Load())
	}
	a.shutdown()
	b.shutdown()
}

// TestNoAckBeforeCommit: while the receiver's transaction holding a message
// has not committed (held open by the test, after all its work is done), the
// sender gets no ack and the receiver reports nothing; once the commit goes
// through, the message is acknowledged and in the receiver's history.
// (That store.Batch returns only after its commit is the store's own test.)
func TestNoAckBeforeCommit(t *testing.T) {
	checkGoroutines(t)
	var a, b *node
	var armed atomic.Bool
	inside := make(chan struct{})
	proceed := make(chan struct{})
	setBatchHook(t, func(m *Manager, msgs int, committed bool) {
		if m == b.m && msgs > 0 && !committed && armed.CompareAndSwap(true, false) {
			close(inside)
			<-proceed
		}
	})
	a, b = newNode(t, "alice"), newNode(t, "bob") // after the hook: their cleanup runs first
	bAtA, aAtB := a.know(b), b.know(a)
	var once sync.Once
	release := func() { once.Do(func() { close(proceed) }) }
	defer release() // before the nodes' cleanup, if the test ends early
	b.start()       // before alice's peers can call the hook, which reads b.m
	a.start()
	warm := a.enqueue(bAtA, "warm-up")
	waitFor(t, "the warm-up message delivered", func() bool { return delivered(a, warm.ID) })

	armed.Store(true)
	held := a.enqueue(bAtA, "held")
	select {
	case <-inside:
	case <-time.After(waitTimeout):
		t.Fatalf("bob did not start committing the message within %v", waitTimeout)
	}
	// Bob's commit is held: for a while, nothing may be acknowledged or
	// reported (an ack sent early would reach alice in milliseconds).
	end := time.Now().Add(400 * time.Millisecond)
	for time.Now().Before(end) {
		if delivered(a, held.ID) {
			t.Fatal("alice saw the message delivered before bob committed it")
		}
		for _, m := range b.rec.received() {
			if m.ID == held.ID {
				t.Fatal("bob reported the message received before committing it")
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	release()
	waitFor(t, "the held message delivered once bob committed it", func() bool { return delivered(a, held.ID) })
	found := false
	for _, m := range b.history(aAtB) {
		found = found || m.ID == held.ID
	}
	if !found {
		t.Fatal("alice saw the message delivered but it is not in bob's history")
	}
	a.shutdown()
	b.shutdown()
}

// delivered reports whether n reported message id Delivered.
func delivered(n *node, id store.MessageID) bool {
	for _, ev := range n.rec.all() {
		if sc, ok := ev.(StateChanged); ok && sc.ID == id && sc.State == store.Delivered {
			return true
		}
	}
	return false
}

// TestDeliveredReportedBeforeItsRecord: the sender reports Delivered as the
// ack arrives even while its own store can take no write (the test holds a
// write transaction open on it): the contact acked only after its commit,
// so nothing waits on the sender's fsync. Once the store is free again, the
// record follows within recordDelay: Delivered, and out of the outbox.
func TestDeliveredReportedBeforeItsRecord(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA := a.know(b)
	b.know(a)
	b.start()
	a.start()
	warm := a.enqueue(bAtA, "warm-up")
	waitFor(t, "the warm-up message delivered", func() bool { return delivered(a, warm.ID) })
	// Its record too (within recordDelay), or the record would wait for
	// the test's transaction below and hold alice's peer up with it.
	waitFor(t, "the warm-up message recorded delivered", func() bool { return allDelivered(a.history(bAtA)) })

	held := a.enqueue(bAtA, "held")
	inside, proceed := make(chan struct{}), make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(proceed) }) }
	defer release()
	blocked := make(chan error, 1)
	go func() {
		blocked <- a.st.Batch(context.Background(), func(*store.Batch) error {
			close(inside)
			<-proceed
			return nil
		})
	}()
	<-inside
	waitFor(t, "the held message reported delivered while alice's store is blocked", func() bool { return delivered(a, held.ID) })
	release()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, a, bAtA, 2)
	a.shutdown()
	b.shutdown()
}
