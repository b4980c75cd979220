package link

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"tincan/core/overlay"
)

// TestOverlayLookupOverLinks runs three overlay nodes over real TLS links:
// the second and third join through the first, then the third finds the
// second by a lookup.
func TestOverlayLookupOverLinks(t *testing.T) {
	runners := make([]*overlay.Runner, 3)
	nodes := make([]*node, 3)
	for i := range nodes {
		nodes[i] = startNode(t, nodeOpts{handler: func(n *Net, addr netip.AddrPort) overlay.Handler {
			r, err := overlay.NewRunner(overlay.Config{GUID: n.GUID(), Addrs: []netip.AddrPort{addr},
				Network: n, Logger: quietLogger()})
			if err != nil {
				t.Fatalf("runner: %v", err)
			}
			t.Cleanup(func() { _ = r.Close() })
			runners[i] = r
			return r
		}})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := runners[0].Bootstrap(ctx, nil); !errors.Is(err, overlay.ErrNoBootstrap) {
		t.Fatalf("first node: %v, want ErrNoBootstrap", err)
	}
	for _, i := range []int{1, 2} {
		if err := runners[i].Bootstrap(ctx, []netip.AddrPort{nodes[0].addr}); err != nil {
			t.Fatalf("bootstrap node %d: %v", i, err)
		}
	}

	target := nodes[1].net.GUID()
	res, err := runners[2].Lookup(ctx, target)
	if err != nil {
		t.Fatalf("lookup: %v", err)
	}
	if len(res.Closest) == 0 || res.Closest[0].GUID != target {
		t.Fatalf("lookup of %s found %v", target.Short(), res.Closest)
	}
	if got := res.Closest[0].Addr; got != nodes[1].addr {
		t.Errorf("found node 1 at %v, want its listen address %v", got, nodes[1].addr)
	}

	// The first node knows the others at the addresses they advertised,
	// though they dialed it from other ports.
	want := map[overlay.GUID]netip.AddrPort{nodes[1].net.GUID(): nodes[1].addr, nodes[2].net.GUID(): nodes[2].addr}
	if err := runners[0].Do(func(n *overlay.Node) {
		n.Table().ForEach(func(p overlay.Peer) {
			if a, ok := want[p.GUID]; ok && a == p.Addr {
				delete(want, p.GUID)
			}
		})
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) != 0 {
		t.Errorf("node 0's table lacks %v", want)
	}
}
