//go:build linux

package natlab

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("natlab's self-check builds network namespaces and nftables NATs: run it as root (sudo go test ./natlab/)")
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// TestLab builds the whole lab, checks with plain sockets that every NAT
// behaves as its name says and that TCP simultaneous open works between two
// port-restricted cones but not from one to a symmetric NAT, then closes the
// lab and checks that nothing of it is left.
func TestLab(t *testing.T) {
	needRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	l, err := New(ctx, Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			l.Close()
		}
	})
	t.Logf("lab %s: %d sites, %d namespaces, built in %v", l.Prefix, len(l.Sites), len(l.Namespaces()), time.Since(start).Round(time.Millisecond))
	if want := 2 * len(All); len(l.Sites) != want {
		t.Fatalf("%d sites, want %d", len(l.Sites), want)
	}
	for _, s := range l.Sites {
		if s.Kind.NATed() != (s.Router != "") {
			t.Errorf("site %s of kind %s has router %q", s.Name, s.Kind, s.Router)
		}
	}

	if err := l.CheckWAN(); err != nil {
		t.Error(err)
	}
	// Without its filter the bridge is one LAN, and the check must say so.
	if err := run(ctx, "ip", "netns", "exec", l.WAN, "nft", "delete", "table", "bridge", "wan"); err != nil {
		t.Fatal(err)
	}
	if err := l.CheckWAN(); err == nil {
		t.Error("WAN check passed with broadcast and multicast let through")
	} else {
		t.Logf("without the WAN filter: %v", err)
	}
	if err := l.nft(ctx, l.WAN, "wan", wanFilter); err != nil {
		t.Fatal(err)
	}

	bs := l.ProbeAll()
	var table bytes.Buffer
	if err := WriteBehaviours(&table, bs); err != nil {
		t.Fatal(err)
	}
	t.Log("observed NAT behaviour:\n" + table.String())
	for _, b := range bs {
		for _, m := range b.Mismatches() {
			t.Errorf("%s (%s): %s", b.Site, b.Kind, m)
		}
	}
	for _, b := range bs {
		if b.Kind == SymmetricSequential && b.UDP[0].Port() < seqBase {
			t.Errorf("%s: sequential NAT gave port %d, below %d", b.Site, b.UDP[0].Port(), seqBase)
		}
		if (b.Kind == PortRestricted || b.Kind == PortForward || b.Kind == UPnP) && b.UDP[0].Port() != b.Local.Port() {
			t.Errorf("%s: masquerade did not keep the free port %d (got %d)", b.Site, b.Local.Port(), b.UDP[0].Port())
		}
	}

	// Behind the port-changing NAT, a port outside the mapped range goes
	// out fully random: another port per destination.
	for _, s := range l.SitesOf(PortChanging) {
		var c *net.UDPConn
		if err := Do(s.Host, func() (err error) { c, err = net.ListenUDP("udp4", &net.UDPAddr{}); return err }); err != nil {
			t.Fatal(err)
		}
		m1, err1 := stunUDP(c, l.STUN[0])
		m2, err2 := stunUDP(c, l.STUN[1])
		c.Close()
		switch {
		case err1 != nil || err2 != nil:
			t.Errorf("%s: STUN from an ephemeral port: %v", s.Name, errors.Join(err1, err2))
		case classify(m1, m2) == MapIndependent:
			t.Errorf("%s: an ephemeral port was mapped to %s for both servers, want another port per destination (fully random)", s.Name, m1)
		default:
			t.Logf("%s: an ephemeral port went out as %s and %s", s.Name, m1, m2)
		}
	}

	r, err := l.SimultaneousOpen(ctx, l.Site("pr-a"), l.Site("pr-b"), 10*time.Second)
	if err != nil {
		t.Errorf("TCP simultaneous open between two port-restricted cones: %v", err)
	} else {
		t.Logf("TCP simultaneous open pr-a %s <-> pr-b %s: connected in %v (pr-a by %s, pr-b by %s)",
			r.MappedA, r.MappedB, r.Took.Round(time.Millisecond), r.HowA, r.HowB)
	}
	if r, err := l.SimultaneousOpen(ctx, l.Site("pr-a"), l.Site("sr-a"), 3*time.Second); err == nil {
		t.Errorf("TCP simultaneous open port-restricted <-> symmetric connected (%s by %s, %s by %s): the symmetric NAT is not symmetric",
			r.A, r.HowA, r.B, r.HowB)
	} else {
		t.Logf("TCP simultaneous open pr-a <-> sr-a fails as it must: %v", err)
	}

	var upnpd []*Proc
	l.mu.Lock()
	upnpd = append(upnpd, l.procs...)
	l.mu.Unlock()
	if len(upnpd) != len(l.SitesOf(UPnP)) {
		t.Errorf("%d processes started, want one miniupnpd per UPnP site (%d)", len(upnpd), len(l.SitesOf(UPnP)))
	}
	for _, p := range upnpd {
		select {
		case <-p.Done():
			t.Errorf("%s died before Close: %v", p.Name, p.Err())
		default:
		}
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	closed = true
	left, err := NamespacesWithPrefix(l.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("namespaces left after Close: %s", strings.Join(left, " "))
	}
	if _, err := os.Stat(lockPath(l.Prefix)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock file of %s left after Close (%v)", l.Prefix, err)
	}
	if _, err := os.Stat(l.Dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("run dir %s left after Close (%v)", l.Dir, err)
	}
	for _, p := range upnpd {
		select {
		case <-p.Done():
		default:
			t.Errorf("%s still running after Close", p.Name)
		}
	}
}

// TestCleanStale removes the namespace of a run whose lock is gone and
// leaves alone one whose lock is held.
func TestCleanStale(t *testing.T) {
	needRoot(t)
	ctx := context.Background()
	live, lock, err := claimPrefix()
	if err != nil {
		t.Fatal(err)
	}
	defer releasePrefix(live, lock)
	stale := "tl" + randomHex(2)
	for stale == live {
		stale = "tl" + randomHex(2)
	}
	for _, ns := range []string{live + "-x", stale + "-x"} {
		if err := ip(ctx, "netns", "add", ns); err != nil {
			t.Fatal(err)
		}
		defer deleteNamespace(ctx, ns)
	}
	if err := CleanStale(ctx, testLogger(t)); err != nil {
		t.Fatal(err)
	}
	if ns, _ := NamespacesWithPrefix(stale); len(ns) != 0 {
		t.Errorf("stale namespaces left: %v", ns)
	}
	if ns, _ := NamespacesWithPrefix(live); len(ns) != 1 {
		t.Errorf("live run's namespaces: %v, want its one", ns)
	}
}
