package link

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"tincan/core/overlay"
)

func TestNewAndRunChecks(t *testing.T) {
	if _, err := New(Config{Key: make([]byte, 10)}); !errors.Is(err, ErrBadKey) {
		t.Errorf("short key: %v, want ErrBadKey", err)
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(Config{Key: key, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if n.GUID() != overlay.GUIDOf(pub) {
		t.Errorf("GUID %s, want the key's", n.GUID().Short())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	waitFor(t, 5*time.Second, "Run to start", func() bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.state == running
	})
	if err := n.Run(ctx); !errors.Is(err, ErrRunTwice) {
		t.Errorf("second Run: %v, want ErrRunTwice", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
}

// blockingHandler holds every undeliverable report until released.
type blockingHandler struct {
	release chan struct{}
	got     chan overlay.Message
}

func (h *blockingHandler) HandleMessage(overlay.Peer, overlay.Message) {}

func (h *blockingHandler) HandleUndeliverable(_ overlay.Peer, m overlay.Message) {
	<-h.release
	h.got <- m
}

func TestSendNeverCallsHandler(t *testing.T) {
	h := &blockingHandler{release: make(chan struct{}), got: make(chan overlay.Message, 4)}
	a := startNode(t, nodeOpts{queueLen: 1, handler: func(*Net, netip.AddrPort) overlay.Handler { return h }})
	defer close(h.release) // before a stops, which waits for the reporter
	closed := overlay.Peer{Addr: closedPort(t)}
	sent := make(chan struct{})
	go func() {
		a.net.Send(overlay.Peer{}, &overlay.Ping{ID: 1}) // no address: fails at once
		a.net.Send(closed, &overlay.Ping{ID: 2})         // queued behind a dial
		a.net.Send(closed, &overlay.Ping{ID: 3})         // the dial queue is full
		close(sent)
	}()
	select {
	case <-sent:
	case <-time.After(5 * time.Second):
		t.Fatal("Send waited for the Handler")
	}
	h.release <- struct{}{}
	if m := <-h.got; m.(*overlay.Ping).ID != 1 {
		t.Errorf("first report: ping %d, want 1", m.(*overlay.Ping).ID)
	}
}

func TestObservedMostRecentFirstOneSayPerPeer(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	n, err := New(Config{Key: key, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	peer := func(b byte) *link {
		return &link{n: n, peer: overlay.GUID{b}, remote: netip.MustParseAddrPort("198.51.100.9:4000")}
	}
	a, b := netip.MustParseAddrPort("203.0.113.1:1000"), netip.MustParseAddrPort("203.0.113.1:2000")
	peer(1).noteObserved(a)
	peer(2).noteObserved(netip.AddrPort{})
	peer(2).noteObserved(b)
	peer(3).noteObserved(netip.MustParseAddrPort("0.0.0.0:5"))
	if got := n.Observed(); !slices.Equal(got, []netip.AddrPort{b, a}) {
		t.Errorf("observed %v, want [%v %v]", got, b, a)
	}
	for i := range 40 {
		peer(1).noteObserved(netip.AddrPortFrom(a.Addr(), uint16(3000+i)))
	}
	if got := n.Observed(); len(got) != 2 || got[0].Port() != 3039 || got[1] != b {
		t.Errorf("one peer saying 40 things left %v; want its last say and the other peer's", got)
	}
	if _, ok := n.Observations().Agreed(); ok {
		t.Error("two peers saying different things were taken as agreement")
	}
}

func TestIdleLinkCloses(t *testing.T) {
	a := startNode(t, nodeOpts{})
	b := startNode(t, nodeOpts{tune: func(tm *timings) { tm.idle = 300 * time.Millisecond }})
	a.net.Send(b.peer(), &overlay.Ping{ID: 1})
	waitFor(t, 5*time.Second, "the link", func() bool { return len(b.rec.messages()) == 1 })
	waitFor(t, 5*time.Second, "the idle link to close on both ends", func() bool {
		return len(a.net.Links()) == 0 && len(b.net.Links()) == 0
	})
}
