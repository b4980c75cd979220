package link

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"tincan/core/overlay"
)

func TestTwoNetsDeliverBothWays(t *testing.T) {
	a, b := startNode(t, nodeOpts{}), startNode(t, nodeOpts{})
	for i := range 5 {
		a.net.Send(b.peer(), &overlay.Ping{ID: uint64(i)})
	}
	waitFor(t, 5*time.Second, "b to get 5 pings", func() bool { return len(b.rec.messages()) == 5 })
	for id, from := range pingIDs(b.rec.messages()) {
		if from != a.peer() { // inbound: remote IP and the advertised port
			t.Errorf("ping %d at b came from %v, want %v", id, from, a.peer())
		}
	}

	// The reply goes over the same link, found by GUID.
	for i := range 5 {
		b.net.Send(overlay.Peer{GUID: a.net.GUID()}, &overlay.Pong{ID: uint64(i)})
	}
	waitFor(t, 5*time.Second, "a to get 5 pongs", func() bool { return len(a.rec.messages()) == 5 })
	for _, r := range a.rec.messages() {
		if r.peer != b.peer() {
			t.Errorf("pong at a came from %v, want %v", r.peer, b.peer())
		}
	}

	la, lb := a.net.Links(), b.net.Links()
	if len(la) != 1 || len(lb) != 1 {
		t.Fatalf("links: a has %d, b has %d, want 1 each", len(la), len(lb))
	}
	if la[0].GUID != b.net.GUID() || la[0].Inbound || la[0].Remote != b.addr || la[0].Advertised != b.addr {
		t.Errorf("a's link: %+v", la[0])
	}
	if lb[0].GUID != a.net.GUID() || !lb[0].Inbound || lb[0].Advertised != a.addr {
		t.Errorf("b's link: %+v", lb[0])
	}
	if la[0].FramesOut != 5 || la[0].FramesIn != 5 || lb[0].FramesIn != 5 || lb[0].FramesOut != 5 {
		t.Errorf("frame counts: a %d out %d in, b %d out %d in",
			la[0].FramesOut, la[0].FramesIn, lb[0].FramesOut, lb[0].FramesIn)
	}
	if la[0].BytesOut == 0 || la[0].BytesIn == 0 || lb[0].BytesIn == 0 {
		t.Errorf("byte counts are zero: %+v %+v", la[0], lb[0])
	}

	// Each side learned where the other sees it.
	if obs := b.net.Observed(); len(obs) != 1 || obs[0] != b.addr {
		t.Errorf("b observed %v, want [%v]", obs, b.addr)
	}
	if obs := a.net.Observed(); len(obs) != 1 || obs[0] != lb[0].Remote {
		t.Errorf("a observed %v, want [%v] (a's source address as b sees it)", obs, lb[0].Remote)
	}
	if u := append(a.rec.undeliverable(), b.rec.undeliverable()...); len(u) != 0 {
		t.Errorf("undeliverable: %v", u)
	}
}

func TestTenNetsFullMesh(t *testing.T) {
	const n, per = 10, 3
	nodes := make([]*node, n)
	byGUID := make(map[overlay.GUID]*node)
	for i := range nodes {
		nodes[i] = startNode(t, nodeOpts{})
		byGUID[nodes[i].net.GUID()] = nodes[i]
	}
	var wg sync.WaitGroup
	for i, src := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j, dst := range nodes {
				if i == j {
					continue
				}
				for k := range per {
					to := dst.peer()
					if k%2 == 1 {
						to.GUID = overlay.GUID{} // by address only
					}
					src.net.Send(to, &overlay.Ping{ID: uint64(i*1000 + j*10 + k)})
				}
			}
		}()
	}
	wg.Wait()
	for j, dst := range nodes {
		waitFor(t, 10*time.Second, fmt.Sprintf("node %d to get its pings", j), func() bool {
			return len(dst.rec.messages()) == (n-1)*per
		})
		got := pingIDs(dst.rec.messages())
		if len(got) != (n-1)*per {
			t.Fatalf("node %d got %d distinct pings, want %d", j, len(got), (n-1)*per)
		}
		for id, from := range got {
			i := int(id / 1000)
			if want := nodes[i].peer(); from != want {
				t.Errorf("ping %d at node %d came from %v, want %v", id, j, from, want)
			}
			if int(id/10%100) != j {
				t.Errorf("ping %d reached node %d", id, j)
			}
		}
	}
	// Simultaneous dials leave exactly one link per pair once the
	// duplicates have drained, and both ends agree which one.
	for i, nd := range nodes {
		waitFor(t, 10*time.Second, fmt.Sprintf("node %d to settle on %d links", i, n-1), func() bool {
			return len(nd.net.Links()) == n-1
		})
	}
	for _, nd := range nodes {
		for _, l := range nd.net.Links() {
			other := byGUID[l.GUID]
			var back *LinkInfo
			for _, ol := range other.net.Links() {
				if ol.GUID == nd.net.GUID() {
					back = &ol
				}
			}
			if back == nil || back.Inbound == l.Inbound {
				t.Errorf("link %s-%s: ends disagree: %+v vs %+v", nd.net.GUID().Short(), l.GUID.Short(), l, back)
			}
		}
	}
	for i, nd := range nodes {
		if u := nd.rec.undeliverable(); len(u) != 0 {
			t.Errorf("node %d: %d undeliverable", i, len(u))
		}
	}
}
