package punch_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"tincan/core/punch"
	"tincan/core/stun"
)

var secret = []byte("a secret both peers derived, 32b")

// side is one end of a punch on loopback: a socket read by a stun.Mux.
type side struct {
	conn *net.UDPConn
	mux  *stun.Mux
}

func newSide(t *testing.T) *side {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	m := stun.NewMux(c, stun.MuxOptions{})
	t.Cleanup(func() {
		m.Close()
		c.Close()
	})
	return &side{conn: c, mux: m}
}

func (s *side) addr() netip.AddrPort { return s.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

type result struct {
	addr netip.AddrPort
	err  error
	took time.Duration
}

// both runs a punch on each side at once and returns their results.
func both(ctx context.Context, a, b *side, candA, candB []netip.AddrPort, secretA, secretB []byte, o punch.Options) (ra, rb result) {
	ca, cb := make(chan result, 1), make(chan result, 1)
	run := func(s *side, cands []netip.AddrPort, sec []byte, out chan result) {
		start := time.Now()
		got, err := punch.UDP(ctx, s.mux, cands, sec, o)
		out <- result{got, err, time.Since(start)}
	}
	go run(a, candA, secretA, ca)
	go run(b, candB, secretB, cb)
	return <-ca, <-cb
}

func TestPunchLoopback(t *testing.T) {
	a, b := newSide(t), newSide(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	dead := netip.MustParseAddrPort("127.0.0.1:9") // discard: nobody answers
	ra, rb := both(ctx, a, b,
		[]netip.AddrPort{dead, {}, netip.MustParseAddrPort("0.0.0.0:7"), b.addr()},
		[]netip.AddrPort{a.addr(), a.addr()}, secret, secret, punch.Options{})
	if ra.err != nil || rb.err != nil {
		t.Fatalf("punch failed: %v / %v", ra.err, rb.err)
	}
	if ra.addr != b.addr() || rb.addr != a.addr() {
		t.Errorf("a found %s, b found %s; want %s and %s", ra.addr, rb.addr, b.addr(), a.addr())
	}
	t.Logf("punched in %v and %v", ra.took.Round(time.Millisecond), rb.took.Round(time.Millisecond))
	if ra.took > time.Second || rb.took > time.Second {
		t.Error("a loopback punch took over a second")
	}
}

func TestPunchWrongSecret(t *testing.T) {
	a, b := newSide(t), newSide(t)
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	other := []byte("not the secret both peers share!")
	ra, rb := both(ctx, a, b, []netip.AddrPort{b.addr()}, []netip.AddrPort{a.addr()}, secret, other, punch.Options{})
	for _, r := range []result{ra, rb} {
		if !errors.Is(r.err, punch.ErrNoPath) || !errors.Is(r.err, context.DeadlineExceeded) {
			t.Errorf("with mismatched secrets: %s, %v; want ErrNoPath at the deadline", r.addr, r.err)
		}
	}
}

// TestPunchIgnoresStrangers sends a side unsigned probes, probes signed
// with another secret, and its own probes reflected back from a third
// address: none of them may end the punch.
func TestPunchIgnoresStrangers(t *testing.T) {
	a, stranger := newSide(t), newSide(t)
	captured := make(chan []byte, 64)
	stranger.mux.Route(punch.IsProbe, func(b []byte, _ netip.AddrPort) {
		select {
		case captured <- append([]byte(nil), b...):
		default:
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	done := make(chan result, 1)
	go func() {
		got, err := punch.UDP(ctx, a.mux, []netip.AddrPort{stranger.addr()}, secret, punch.Options{Interval: 30 * time.Millisecond})
		done <- result{addr: got, err: err}
	}()
	forged := make([]byte, punch.PacketSize)
	copy(forged, "\xd1pn1")
	deadline := time.After(700 * time.Millisecond)
	for loop := true; loop; {
		select {
		case b := <-captured:
			stranger.mux.WriteToUDPAddrPort(b, a.addr()) // a's own probe, reflected
			forged[20]++
			stranger.mux.WriteToUDPAddrPort(forged, a.addr())
		case <-deadline:
			loop = false
		}
	}
	r := <-done
	if !errors.Is(r.err, punch.ErrNoPath) {
		t.Errorf("punch with only a stranger answering: %s, %v; want ErrNoPath", r.addr, r.err)
	}
}

// TestPunchSpray reaches a peer whose only candidate is two ports below its
// real one, by spraying the next ports.
func TestPunchSpray(t *testing.T) {
	a, b := newSide(t), newSide(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	low := netip.AddrPortFrom(b.addr().Addr(), b.addr().Port()-2)
	ra, rb := both(ctx, a, b, []netip.AddrPort{low}, []netip.AddrPort{a.addr()}, secret, secret, punch.Options{Spray: 3})
	if ra.err != nil || rb.err != nil || ra.addr != b.addr() || rb.addr != a.addr() {
		t.Errorf("sprayed punch: %s %v / %s %v", ra.addr, ra.err, rb.addr, rb.err)
	}
}

func TestPunchArguments(t *testing.T) {
	a := newSide(t)
	ctx := context.Background()
	if _, err := punch.UDP(ctx, a.mux, []netip.AddrPort{a.addr()}, secret[:punch.MinSecret-1], punch.Options{}); !errors.Is(err, punch.ErrShortSecret) {
		t.Errorf("short secret: %v", err)
	}
	if _, err := punch.UDP(ctx, a.mux, []netip.AddrPort{{}, netip.MustParseAddrPort("224.0.0.1:5")}, secret, punch.Options{}); !errors.Is(err, punch.ErrNoCandidates) {
		t.Errorf("no usable candidates: %v", err)
	}
}
