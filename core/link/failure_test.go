package link

import (
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"tincan/core/overlay"
)

func TestUndeliverableClosedPort(t *testing.T) {
	a := startNode(t, nodeOpts{})
	to := overlay.Peer{Addr: closedPort(t)}
	sent := []overlay.Message{&overlay.Ping{ID: 1}, &overlay.FindNode{ID: 2}, &overlay.Ping{ID: 3}}
	for _, m := range sent {
		a.net.Send(to, m)
	}
	waitFor(t, 5*time.Second, "3 undeliverable", func() bool { return len(a.rec.undeliverable()) == 3 })
	for i, u := range a.rec.undeliverable() {
		if u.peer != to || u.m != sent[i] {
			t.Errorf("report %d: %v %v, want %v %v", i, u.peer, u.m, to, sent[i])
		}
	}
	if l := a.net.Links(); len(l) != 0 {
		t.Errorf("links after failed dial: %v", l)
	}
	// An invalid address and no link by GUID fails too, and later.
	a.net.Send(overlay.Peer{GUID: overlay.GUID{1}}, &overlay.Ping{ID: 4})
	waitFor(t, 5*time.Second, "undeliverable without address", func() bool { return len(a.rec.undeliverable()) == 4 })
}

func TestPinnedGUIDMismatch(t *testing.T) {
	a, b := startNode(t, nodeOpts{}), startNode(t, nodeOpts{})
	wrong := overlay.Peer{GUID: overlay.GUID{0xde, 0xad}, Addr: b.addr}
	a.net.Send(wrong, &overlay.Ping{ID: 1})
	waitFor(t, 5*time.Second, "pinned send reported", func() bool { return len(a.rec.undeliverable()) == 1 })
	if u := a.rec.undeliverable()[0]; u.peer != wrong {
		t.Errorf("reported for %v, want %v", u.peer, wrong)
	}
	waitFor(t, 5*time.Second, "the wrong link closed on both sides", func() bool {
		return len(a.net.Links()) == 0 && len(b.net.Links()) == 0
	})
	if m := b.rec.messages(); len(m) != 0 {
		t.Errorf("b got %d messages meant for another node", len(m))
	}

	// One dial serves an unpinned and a wrongly pinned message: the first
	// goes through, the second is reported; the link stays for b.
	a.net.Send(overlay.Peer{Addr: b.addr}, &overlay.Ping{ID: 2})
	a.net.Send(wrong, &overlay.Ping{ID: 3})
	waitFor(t, 5*time.Second, "b to get ping 2", func() bool { return len(b.rec.messages()) == 1 })
	waitFor(t, 5*time.Second, "ping 3 reported", func() bool { return len(a.rec.undeliverable()) == 2 })
	if id := a.rec.undeliverable()[1].m.(*overlay.Ping).ID; id != 3 {
		t.Errorf("reported ping %d, want 3", id)
	}
	if l := a.net.Links(); len(l) != 1 || l[0].GUID != b.net.GUID() {
		t.Errorf("a's links: %v, want one to b", l)
	}
}

func TestCoalescedDial(t *testing.T) {
	d := &countingDialer{}
	a, b := startNode(t, nodeOpts{dialer: d}), startNode(t, nodeOpts{})
	const n = 100
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			to := b.peer()
			if i%2 == 0 {
				to.GUID = overlay.GUID{}
			}
			a.net.Send(to, &overlay.Ping{ID: uint64(i)})
		}()
	}
	close(start)
	wg.Wait()
	waitFor(t, 5*time.Second, "b to get 100 pings", func() bool { return len(b.rec.messages()) == n })
	if got := len(pingIDs(b.rec.messages())); got != n {
		t.Errorf("b got %d distinct pings, want %d", got, n)
	}
	if got := d.dials.Load(); got != 1 {
		t.Errorf("%d dials, want 1", got)
	}
	if la, lb := len(a.net.Links()), len(b.net.Links()); la != 1 || lb != 1 {
		t.Errorf("links: a %d, b %d, want 1 each", la, lb)
	}
}

func TestDialQueueOverflow(t *testing.T) {
	d := &countingDialer{hold: make(chan struct{}), arrived: make(chan struct{}, 1)}
	a, b := startNode(t, nodeOpts{dialer: d, queueLen: 4}), startNode(t, nodeOpts{})
	for i := range 10 {
		a.net.Send(b.peer(), &overlay.Ping{ID: uint64(i)})
	}
	<-d.arrived
	// The overflow is reported while the dial still waits.
	waitFor(t, 5*time.Second, "6 undeliverable", func() bool { return len(a.rec.undeliverable()) == 6 })
	close(d.hold)
	waitFor(t, 5*time.Second, "b to get 4 pings", func() bool { return len(b.rec.messages()) == 4 })
	ids := pingIDs(b.rec.messages())
	for i := range 4 {
		if _, ok := ids[uint64(i)]; !ok {
			t.Errorf("ping %d not delivered", i)
		}
	}
	for _, u := range a.rec.undeliverable() {
		if id := u.m.(*overlay.Ping).ID; id < 4 {
			t.Errorf("ping %d reported undeliverable but was queued", id)
		}
	}
}

func TestLinkQueueOverflow(t *testing.T) {
	var mu sync.Mutex
	var conns []*gatedConn
	d := &countingDialer{wrap: func(c net.Conn) net.Conn {
		g := newGatedConn(c)
		mu.Lock()
		conns = append(conns, g)
		mu.Unlock()
		return g
	}}
	a, b := startNode(t, nodeOpts{dialer: d, queueLen: 4}), startNode(t, nodeOpts{})
	a.net.Send(b.peer(), &overlay.Ping{ID: 0})
	waitFor(t, 5*time.Second, "the link", func() bool { return len(b.rec.messages()) == 1 })
	mu.Lock()
	g := conns[0]
	mu.Unlock()

	g.shut()
	a.net.Send(b.peer(), &overlay.Ping{ID: 1})
	select {
	case <-g.blocked: // the writer holds ping 1 in a write that waits
	case <-time.After(5 * time.Second):
		t.Fatal("the writer never wrote")
	}
	for i := 2; i < 12; i++ {
		a.net.Send(b.peer(), &overlay.Ping{ID: uint64(i)})
	}
	waitFor(t, 5*time.Second, "6 undeliverable", func() bool { return len(a.rec.undeliverable()) == 6 })
	var reported []uint64
	for _, u := range a.rec.undeliverable() {
		reported = append(reported, u.m.(*overlay.Ping).ID)
	}
	if want := []uint64{6, 7, 8, 9, 10, 11}; !slices.Equal(reported, want) {
		t.Errorf("reported %v, want %v", reported, want)
	}
	g.open()
	waitFor(t, 5*time.Second, "b to get pings 0 to 5", func() bool { return len(b.rec.messages()) == 6 })
	ids := pingIDs(b.rec.messages())
	for i := range 6 {
		if _, ok := ids[uint64(i)]; !ok {
			t.Errorf("ping %d not delivered", i)
		}
	}
}
