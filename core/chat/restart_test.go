package chat

import (
	"context"
	"sync"
	"testing"
	"time"

	"tincan/core/store"
)

// TestReceiverRestartMidStream stops bob while alice streams to him, then
// brings him back on the same database and address: nothing may be lost or
// duplicated, and alice must see every message delivered.
func TestReceiverRestartMidStream(t *testing.T) {
	for _, tc := range []struct {
		name  string
		crash bool // close the store while Run is still stopping
	}{{"crash", true}, {"new manager", false}} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			a, b := newNode(t, "alice"), newNode(t, "bob")
			bAtA, aAtB := a.know(b), b.know(a)
			a.start()
			b.start()

			const n = 200
			want := bodiesN("a->b", n)
			for _, body := range want[:n/2] {
				a.enqueue(bAtA, body)
			}
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // keep queueing while bob goes down and comes back
				defer wg.Done()
				for _, body := range want[n/2:] {
					a.enqueue(bAtA, body)
				}
			}()
			waitFor(t, "bob to receive part of the stream", func() bool { return len(b.rec.received()) >= 30 })
			if tc.crash {
				b.cancel()
				b.st.Close() // mid-stream: in-flight store calls fail from here on
				b.stop()
				b.openStore()
			} else {
				b.stop()
			}
			if got := len(incoming(b.history(aAtB))); got >= n {
				t.Fatalf("bob already had all %d messages before the restart; the test proves nothing", got)
			}
			b.listen()
			b.start()
			wg.Wait()

			waitProgress(t, "alice to see every message delivered", func() (int, bool) {
				got := a.rec.count(store.Delivered)
				return got, got == n
			})
			checkReceived(t, b, aAtB, want)
			checkDelivered(t, a, bAtA, n)
			a.shutdown()
			b.shutdown()
		})
	}
}

// TestQueuedAcrossSenderRestart: alice queues while bob is offline, restarts,
// and delivers everything once bob comes up.
func TestQueuedAcrossSenderRestart(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA, aAtB := a.know(b), b.know(a)
	b.ln.Close() // bob is offline: his address refuses connections
	b.ln = nil
	a.start()

	const n = 20
	want := bodiesN("a->b", n)
	for _, body := range want {
		a.enqueue(bAtA, body)
	}
	waitFor(t, "alice to retry the dial", func() bool { return a.logs.count("dial failed") >= 3 })
	checkQueued := func() {
		t.Helper()
		ob := a.outbox(bAtA)
		if len(ob) != n {
			t.Fatalf("alice's outbox holds %d messages, want %d", len(ob), n)
		}
		for _, m := range ob {
			if m.State != store.Queued {
				t.Fatalf("message %q is %v while bob is offline, want queued", m.Body, m.State)
			}
		}
	}
	checkQueued()

	a.stop()
	a.st.Close()
	a.openStore()
	checkQueued()
	a.listen()
	a.start()

	b.listen()
	b.start()
	waitFor(t, "alice to see every message delivered", func() bool { return a.rec.count(store.Delivered) == n })
	checkReceived(t, b, aAtB, want)
	checkDelivered(t, a, bAtA, n)
	a.shutdown()
	b.shutdown()
}

// TestKickCancelsBackoff: with a redial minutes away, a Kick dials at once.
func TestKickCancelsBackoff(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA, aAtB := a.know(b), b.know(a)
	b.ln.Close() // bob is offline
	b.ln = nil
	a.tweak = func(c *Config) { c.RetryMin, c.RetryMax = 5*time.Minute, 5*time.Minute }
	// Queued before start, so only Run's kick dials: a kick racing it would
	// be a second dial.
	a.enqueue(bAtA, "first")
	a.start()
	waitFor(t, "alice's first dial to fail", func() bool { return a.logs.count("dial failed") == 1 })

	b.listen()
	b.start()
	a.enqueue(bAtA, "second") // kicks
	waitFor(t, "both messages delivered", func() bool { return a.rec.count(store.Delivered) == 2 })
	checkReceived(t, b, aAtB, []string{"first", "second"})
	if n := a.logs.count("dial failed"); n != 1 {
		t.Errorf("alice failed %d dials, want 1", n)
	}
	a.shutdown()
	b.shutdown()
}

// TestSentLeftByCrashIsRequeued: messages a crash left Sent go back to
// Queued (and are reported so) when the manager starts, then get delivered.
func TestSentLeftByCrashIsRequeued(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA, aAtB := a.know(b), b.know(a)
	want := bodiesN("a->b", 3)
	for _, body := range want {
		m := a.enqueue(bAtA, body)
		if err := a.st.MarkSent(context.Background(), bAtA.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	b.tweak = noDial // only alice dials: a second session would requeue again
	b.start()
	a.start()
	waitFor(t, "delivery", func() bool { return a.rec.count(store.Delivered) == 3 })
	if got := a.rec.count(store.Queued); got != 3 {
		t.Errorf("%d messages reported requeued, want 3", got)
	}
	checkReceived(t, b, aAtB, want)
	checkDelivered(t, a, bAtA, 3)
	a.shutdown()
	b.shutdown()
}
