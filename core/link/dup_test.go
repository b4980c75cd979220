package link

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"tincan/core/overlay"
)

// barrier holds each dial until both nodes have started theirs.
type barrier struct {
	mu      sync.Mutex
	n       int
	release chan struct{}
}

func (b *barrier) arrive() {
	b.mu.Lock()
	b.n++
	if b.n == 2 {
		close(b.release)
	}
	b.mu.Unlock()
	<-b.release
}

type barrierDialer struct {
	b *barrier
	countingDialer
}

func (d *barrierDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if d.dials.Load() == 0 {
		d.b.arrive()
	}
	return d.countingDialer.DialContext(ctx, network, addr)
}

func TestDuplicateLinksResolved(t *testing.T) {
	for round := range 3 {
		bar := &barrier{release: make(chan struct{})}
		da, db := &barrierDialer{b: bar}, &barrierDialer{b: bar}
		a := startNode(t, nodeOpts{dialer: da})
		b := startNode(t, nodeOpts{dialer: db})
		const n = 20
		var wg sync.WaitGroup
		for _, p := range [][2]*node{{a, b}, {b, a}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range n {
					p[0].net.Send(p[1].peer(), &overlay.Ping{ID: uint64(i)})
					if i == n/2 {
						time.Sleep(5 * time.Millisecond) // some after a link exists
					}
				}
			}()
		}
		wg.Wait()
		waitFor(t, 5*time.Second, "both to get every ping", func() bool {
			return len(a.rec.messages()) == n && len(b.rec.messages()) == n
		})
		waitFor(t, 5*time.Second, "one link each", func() bool {
			return len(a.net.Links()) == 1 && len(b.net.Links()) == 1
		})
		if da.dials.Load() == 0 || db.dials.Load() == 0 {
			t.Fatalf("round %d: dials a %d, b %d: not a simultaneous dial", round, da.dials.Load(), db.dials.Load())
		}
		la, lb := a.net.Links()[0], b.net.Links()[0]
		ga, gb := a.net.GUID(), b.net.GUID()
		aSmaller := bytes.Compare(ga[:], gb[:]) < 0
		// The kept link is the one the smaller GUID dialed.
		if la.Inbound == aSmaller || lb.Inbound != aSmaller {
			t.Errorf("round %d: kept a inbound=%v, b inbound=%v; a smaller=%v", round, la.Inbound, lb.Inbound, aSmaller)
		}
		if la.Retiring || lb.Retiring {
			t.Errorf("round %d: the kept link is retiring", round)
		}
		if u := append(a.rec.undeliverable(), b.rec.undeliverable()...); len(u) != 0 {
			t.Errorf("round %d: %d undeliverable", round, len(u))
		}
		// Traffic still flows over the kept link.
		a.net.Send(overlay.Peer{GUID: gb}, &overlay.Ping{ID: 100})
		b.net.Send(overlay.Peer{GUID: ga}, &overlay.Ping{ID: 100})
		waitFor(t, 5*time.Second, "pings over the kept link", func() bool {
			return len(a.rec.messages()) == n+1 && len(b.rec.messages()) == n+1
		})
		a.stop()
		b.stop()
	}
}
