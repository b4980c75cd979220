//go:build linux

package punch_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"tincan/core/punch"
	"tincan/core/stun"
	"tincan/natlab"
)

// labSide is one end of a punch on a lab host: a fresh socket read by a
// stun.Mux, and the address the lab's STUN server saw it at.
type labSide struct {
	site   *natlab.Site
	mux    *stun.Mux
	mapped netip.AddrPort
}

func newLabSide(t *testing.T, ctx context.Context, lab *natlab.Lab, site *natlab.Site) *labSide {
	t.Helper()
	var c *net.UDPConn
	if err := natlab.Do(site.Host, func() (err error) {
		c, err = net.ListenUDP("udp4", &net.UDPAddr{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := &labSide{site: site, mux: stun.NewMux(c, stun.MuxOptions{})}
	t.Cleanup(func() {
		s.mux.Close()
		c.Close()
	})
	var err error
	if s.mapped, err = s.mux.Binding(ctx, lab.STUN[0]); err != nil {
		t.Fatalf("%s: %v", site.Name, err)
	}
	return s
}

// TestPunchNATLab punches between lab sites behind real kernel NATs: it
// must work where natlab.ExpectDirect says two NATs allow it (and spraying
// makes a sequential symmetric NAT reachable from a port-restricted one),
// and must fail, at the deadline, where they do not or the secrets differ.
func TestPunchNATLab(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("natlab builds network namespaces and kernel NATs: run this test as root, as CI does")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	lab, err := natlab.New(ctx, natlab.Options{
		Kinds:  []natlab.Kind{natlab.FullCone, natlab.PortRestricted, natlab.SymmetricRandom, natlab.SymmetricSequential},
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	t.Logf("lab of %d sites built in %v", len(lab.Sites), time.Since(start).Round(time.Millisecond))

	other := []byte("a secret that the peer does not have")
	cases := []pairCase{
		{"pr-a", "pr-b", secret, 0, 5 * time.Second, true},
		{"fc-a", "sr-a", secret, 0, 5 * time.Second, true},
		{"pr-b", "ss-a", secret, 8, 5 * time.Second, true},
		{"pr-a", "sr-b", secret, 0, 3 * time.Second, false},
		{"pr-b", "ss-b", secret, 0, 3 * time.Second, false},
		{"fc-b", "pr-a", other, 0, 3 * time.Second, false},
	}
	// Parallel subtests inside a group, so the lab outlives them.
	t.Run("pairs", func(t *testing.T) {
		for _, tc := range cases {
			runPair(t, ctx, lab, tc)
		}
	})
}

// pairCase is a punch between two lab sites.
type pairCase struct {
	a, b    string // site names
	secretB []byte // b's secret (a's is secret)
	spray   int
	timeout time.Duration
	works   bool
}

// runPair punches between the sites of tc as a parallel subtest.
func runPair(t *testing.T, ctx context.Context, lab *natlab.Lab, tc pairCase) {
	name := tc.a + "<->" + tc.b
	if tc.spray > 0 {
		name += "+spray"
	}
	if string(tc.secretB) != string(secret) {
		name += "/wrong-secret"
	}
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		sa, sb := lab.Site(tc.a), lab.Site(tc.b)
		if want := natlab.ExpectDirect(sa.Kind, sb.Kind); tc.spray == 0 && string(tc.secretB) == string(secret) && want != tc.works {
			t.Fatalf("natlab expects direct=%v for %s-%s, the case says %v", want, sa.Kind, sb.Kind, tc.works)
		}
		a, b := newLabSide(t, ctx, lab, sa), newLabSide(t, ctx, lab, sb)
		pctx, cancel := context.WithTimeout(ctx, tc.timeout)
		defer cancel()
		type result struct {
			addr netip.AddrPort
			err  error
			took time.Duration
		}
		run := func(s *labSide, peer []netip.AddrPort, sec []byte, out chan<- result) {
			start := time.Now()
			got, err := punch.UDP(pctx, s.mux, peer, sec, punch.Options{Spray: tc.spray})
			out <- result{got, err, time.Since(start)}
		}
		ca, cb := make(chan result, 1), make(chan result, 1)
		go run(a, []netip.AddrPort{b.mapped}, secret, ca)
		go run(b, []netip.AddrPort{a.mapped}, tc.secretB, cb)
		ra, rb := <-ca, <-cb
		t.Logf("%s (STUN %s) found %s, %v in %v; %s (STUN %s) found %s, %v in %v",
			tc.a, a.mapped, ra.addr, ra.err, ra.took.Round(time.Millisecond),
			tc.b, b.mapped, rb.addr, rb.err, rb.took.Round(time.Millisecond))
		if !tc.works {
			for _, r := range []result{ra, rb} {
				if !errors.Is(r.err, punch.ErrNoPath) || !errors.Is(r.err, context.DeadlineExceeded) {
					t.Errorf("punch %s succeeded or failed early: %s, %v", name, r.addr, r.err)
				}
			}
			return
		}
		if ra.err != nil || rb.err != nil {
			t.Fatalf("punch %s failed: %v / %v", name, ra.err, rb.err)
		}
		// Each side found the other's router, at the port the other's
		// NAT gave the flow toward it.
		if ra.addr.Addr() != sb.WANIP || rb.addr.Addr() != sa.WANIP {
			t.Errorf("found %s and %s, want addresses of %s and %s", ra.addr, rb.addr, sb.WANIP, sa.WANIP)
		}
		if sb.Kind != natlab.SymmetricRandom && sb.Kind != natlab.SymmetricSequential && ra.addr != b.mapped {
			t.Errorf("%s found %s, want %s's endpoint-independent mapping %s", tc.a, ra.addr, tc.b, b.mapped)
		}
		if rb.addr != a.mapped {
			t.Errorf("%s found %s, want %s's mapping %s", tc.b, rb.addr, tc.a, a.mapped)
		}
		// The path carries packets both ways.
		checkPath(t, a, b, ra.addr, rb.addr)
	})
}

// checkPath sends a datagram each way over the punched path.
func checkPath(t *testing.T, a, b *labSide, toB, toA netip.AddrPort) {
	t.Helper()
	got := make(chan string, 8)
	isData := func(p []byte) bool { return len(p) > 5 && string(p[:5]) == "data:" }
	for _, s := range []*labSide{a, b} {
		remove := s.mux.Route(isData, func(p []byte, _ netip.AddrPort) {
			select { // a handler must never block the read loop
			case got <- s.site.Name + " got " + string(p):
			default:
			}
		})
		defer remove()
	}
	for range 3 { // UDP: a lost datagram is no failure of the path
		a.mux.WriteToUDPAddrPort([]byte("data:from-a"), toB)
		b.mux.WriteToUDPAddrPort([]byte("data:from-b"), toA)
		time.Sleep(20 * time.Millisecond)
	}
	seen := map[string]bool{}
	timeout := time.After(time.Second)
	for len(seen) < 2 {
		select {
		case m := <-got:
			seen[m] = true
		case <-timeout:
			t.Errorf("over the punched path only: %v", seen)
			return
		}
	}
}
