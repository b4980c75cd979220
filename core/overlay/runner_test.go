package overlay_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"tincan/core/overlay"
	"tincan/core/overlay/memnet"
)

// frameNet is a goroutine-driven network for Runners on the real clock:
// every message goes through WriteFrame and ReadFrame, and each node has an
// inbox served by one goroutine that stops with the context.
type frameNet struct {
	mu    sync.Mutex
	nodes map[netip.AddrPort]*frameNode
	wg    sync.WaitGroup
}

type frameNode struct {
	peer  overlay.Peer
	r     *overlay.Runner
	inbox chan delivery
}

type delivery struct {
	from   overlay.Peer
	frame  []byte
	failed *overlay.Peer // set: a failed delivery of frame to *failed
}

// link is one node's view of the network.
type link struct {
	n    *frameNet
	self overlay.Peer
}

func (l link) Send(to overlay.Peer, m overlay.Message) {
	var buf bytes.Buffer
	if err := overlay.WriteFrame(&buf, m); err != nil {
		panic(fmt.Sprintf("frame %s: %v", m.Type(), err))
	}
	l.n.mu.Lock()
	dst, src := l.n.nodes[to.Addr], l.n.nodes[l.self.Addr]
	l.n.mu.Unlock()
	d := delivery{from: l.self, frame: buf.Bytes()}
	if dst == nil || (!to.GUID.IsZero() && dst.peer.GUID != to.GUID) {
		d.failed, dst = &to, src
	}
	select {
	case dst.inbox <- d:
	default: // a full inbox drops, like a congested link
	}
}

func (n *frameNet) serve(ctx context.Context, fn *frameNode) {
	n.wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case d := <-fn.inbox:
				m, err := overlay.ReadFrame(bytes.NewReader(d.frame))
				if err != nil {
					panic(fmt.Sprintf("read frame: %v", err))
				}
				if d.failed != nil {
					fn.r.HandleUndeliverable(*d.failed, m)
				} else {
					fn.r.HandleMessage(d.from, m)
				}
			}
		}
	})
}

func TestRunnerOverGoroutines(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	net := &frameNet{nodes: map[netip.AddrPort]*frameNode{}}
	var nodes []*frameNode
	var users []overlay.User
	var keys []*memnet.StandInKey
	var inMu sync.Mutex
	incoming := map[int][]overlay.Incoming{}
	for i := 0; i < 12; i++ {
		_, guid, err := overlay.GenerateNodeKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, byte(i), 1}), 7700)
		key := memnet.NewStandInKey(uint64(i + 1))
		u := overlay.User{SecretID: overlay.SecretID{byte(i + 1)}, Opener: key, Fingerprint: overlay.Fingerprint{byte(i)}}
		fn := &frameNode{peer: overlay.Peer{GUID: guid, Addr: addr}, inbox: make(chan delivery, 4096)}
		fn.r, err = overlay.NewRunner(overlay.Config{GUID: guid, Addrs: []netip.AddrPort{addr},
			Network: link{n: net, self: fn.peer}, User: &u,
			Relays: func() []netip.AddrPort { return offeredRelays(i) },
			OnIncoming: func(in overlay.Incoming) {
				inMu.Lock()
				incoming[i] = append(incoming[i], in)
				inMu.Unlock()
			}})
		if err != nil {
			t.Fatal(err)
		}
		net.mu.Lock()
		net.nodes[addr] = fn
		net.mu.Unlock()
		net.serve(ctx, fn)
		nodes, users, keys = append(nodes, fn), append(users, u), append(keys, key)
	}
	defer func() {
		for _, fn := range nodes {
			if err := fn.r.Close(); err != nil {
				t.Error(err)
			}
		}
		cancel()
		net.wg.Wait()
	}()

	// Nothing answers at an unknown address.
	if err := nodes[1].r.Bootstrap(ctx, []netip.AddrPort{netip.MustParseAddrPort("203.0.113.1:1")}); !errors.Is(err, overlay.ErrNoBootstrap) {
		t.Fatalf("bootstrap through nobody: %v", err)
	}
	_ = nodes[0].r.Bootstrap(ctx, nil) // the first node has no one to join
	for i, fn := range nodes[1:] {
		if err := fn.r.Bootstrap(ctx, []netip.AddrPort{nodes[i].peer.Addr}); err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
	}
	res, err := nodes[3].r.Lookup(ctx, nodes[9].peer.GUID)
	if err != nil || len(res.Closest) == 0 || res.Closest[0].GUID != nodes[9].peer.GUID {
		t.Fatalf("lookup: %+v %v", res, err)
	}
	// Let the last joiners' announcements land, then connect both ways.
	time.Sleep(200 * time.Millisecond)
	req := overlay.ConnectRequest{SecretID: users[7].SecretID, Sealer: keys[7], Mode: overlay.ModeRendezvous}
	cr, err := nodes[2].r.Connect(ctx, req)
	if err != nil || cr.Via != overlay.ViaRendezvous || cr.GUID != nodes[7].peer.GUID {
		t.Fatalf("rendezvous: %+v %v", cr, err)
	}
	// Each side learns the relays the other offered: the first MaxRelays
	// valid ones.
	if want := wantRelays(7); !slices.Equal(cr.Relays, want) {
		t.Errorf("rendezvous: receiver's relays %v, want %v", cr.Relays, want)
	}
	req = overlay.ConnectRequest{SecretID: users[5].SecretID, Sealer: keys[5], Mode: overlay.ModeFlood}
	cr, err = nodes[10].r.Connect(ctx, req)
	if err != nil || cr.Via != overlay.ViaFlood || cr.GUID != nodes[5].peer.GUID {
		t.Fatalf("flood: %+v %v", cr, err)
	}
	if cr.Relays != nil { // node 5 offers none
		t.Errorf("flood: receiver's relays %v, want none", cr.Relays)
	}
	inMu.Lock()
	in7, in5 := incoming[7], incoming[5]
	inMu.Unlock()
	if len(in7) != 1 || in7[0].GUID != nodes[2].peer.GUID || !slices.Equal(in7[0].Relays, wantRelays(2)) {
		t.Errorf("node 7's incoming %+v, want node 2 offering %v", in7, wantRelays(2))
	}
	if len(in5) != 1 || in5[0].GUID != nodes[10].peer.GUID || in5[0].Relays != nil {
		t.Errorf("node 5's incoming %+v, want node 10 offering no relays", in5)
	}
	// A cancelled context returns at once.
	done, stop := context.WithCancel(ctx)
	stop()
	if _, err := nodes[4].r.Connect(done, overlay.ConnectRequest{SecretID: overlay.SecretID{0xee}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled connect: %v", err)
	}
	// After Close the runner refuses work.
	if err := nodes[11].r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := nodes[11].r.Lookup(ctx, nodes[0].peer.GUID); !errors.Is(err, overlay.ErrClosed) {
		t.Fatalf("lookup after close: %v", err)
	}
}

// offeredRelays is what node i's Config.Relays returns: nothing for every
// fifth node, else an address with port 0, two good ones, a repeat, and
// one past MaxRelays.
func offeredRelays(i int) []netip.AddrPort {
	if i%5 == 0 {
		return nil
	}
	ip := netip.AddrFrom4([4]byte{203, 0, 113, byte(i)})
	good := wantRelays(i)
	return []netip.AddrPort{netip.AddrPortFrom(ip, 0), good[0], good[0], good[1], netip.AddrPortFrom(ip, 3)}
}

// wantRelays is what node i offers in its hellos and answers.
func wantRelays(i int) []netip.AddrPort {
	ip := netip.AddrFrom4([4]byte{203, 0, 113, byte(i)})
	return []netip.AddrPort{netip.AddrPortFrom(ip, 1), netip.AddrPortFrom(ip, 2)}
}
