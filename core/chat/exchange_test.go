package chat

import (
	"sync"
	"testing"
	"time"

	"tincan/core/store"
)

// checkDelivered asserts that every outgoing message to c is Delivered, the
// outbox is empty, and each was reported Delivered exactly once, never
// followed by another state.
func checkDelivered(t *testing.T, n *node, c store.Contact, want int) {
	t.Helper()
	// Delivered is reported first and recorded within recordDelay: give
	// the records that long and more before reading them.
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) && !allDelivered(n.history(c)) {
		time.Sleep(10 * time.Millisecond)
	}
	h := n.history(c)
	out := 0
	for _, m := range h {
		if m.Direction != store.Outgoing {
			continue
		}
		out++
		if m.State != store.Delivered {
			t.Errorf("%s: message %q is %v, want delivered", n.name, m.Body, m.State)
		}
	}
	if out != want {
		t.Errorf("%s: %d outgoing messages, want %d", n.name, out, want)
	}
	if ob := n.outbox(c); len(ob) != 0 {
		t.Errorf("%s: outbox still holds %d messages", n.name, len(ob))
	}
	delivered := map[store.MessageID]int{}
	for _, ev := range n.rec.all() {
		sc, ok := ev.(StateChanged)
		if !ok || sc.ContactID != c.ID {
			continue
		}
		if delivered[sc.ID] > 0 {
			t.Errorf("%s: message %x reported %v after delivered", n.name, sc.ID, sc.State)
		}
		if sc.State == store.Delivered {
			delivered[sc.ID]++
		}
	}
	for _, m := range h {
		if m.Direction == store.Outgoing && delivered[m.ID] != 1 {
			t.Errorf("%s: message %q reported delivered %d times", n.name, m.Body, delivered[m.ID])
		}
	}
}

// checkReceived asserts that n holds exactly want from c, in order, and
// reported each exactly once.
func checkReceived(t *testing.T, n *node, c store.Contact, want []string) {
	t.Helper()
	if err := sameStrings(incoming(n.history(c)), want); err != nil {
		t.Errorf("%s: history from %s: %v", n.name, c.Name, err)
	}
	seen := map[store.MessageID]bool{}
	var got []string
	for _, m := range n.rec.received() {
		if m.ContactID != c.ID {
			continue
		}
		if seen[m.ID] {
			t.Errorf("%s: message %q reported received twice", n.name, m.Body)
		}
		seen[m.ID] = true
		got = append(got, m.Body)
	}
	if err := sameStrings(got, want); err != nil {
		t.Errorf("%s: received events from %s: %v", n.name, c.Name, err)
	}
	if n.rec.racing {
		t.Errorf("%s: Emit was called concurrently", n.name)
	}
}

func TestExchangeThousandEachWay(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA, aAtB := a.know(b), b.know(a)
	a.start()
	b.start()

	const n = 1000
	wantAB, wantBA := bodiesN("a->b", n), bodiesN("b->a", n)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for _, body := range wantAB {
			a.enqueue(bAtA, body)
		}
	}()
	go func() {
		defer wg.Done()
		for _, body := range wantBA {
			b.enqueue(aAtB, body)
		}
	}()
	wg.Wait()

	waitProgress(t, "every message received and acknowledged", func() (int, bool) {
		got := len(a.rec.received()) + len(b.rec.received()) + a.rec.count(store.Delivered) + b.rec.count(store.Delivered)
		return got, got == 4*n
	})
	checkReceived(t, b, aAtB, wantAB)
	checkReceived(t, a, bAtA, wantBA)
	checkDelivered(t, a, bAtA, n)
	checkDelivered(t, b, aAtB, n)
	if p := a.m.Presence(bAtA.ID); !p.Online || p.Path != "direct" {
		t.Errorf("alice sees bob as %+v, want online direct", p)
	}
	a.shutdown()
	b.shutdown()
	waitFor(t, "no goroutines left", func() bool { return true })
}

// allDelivered reports whether every outgoing message in h is Delivered.
func allDelivered(h []store.Message) bool {
	for _, m := range h {
		if m.Direction == store.Outgoing && m.State != store.Delivered {
			return false
		}
	}
	return true
}
