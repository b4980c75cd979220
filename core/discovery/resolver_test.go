package discovery

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"tincan/core/discovery/cftest"
)

func newFakeDNS(t *testing.T, srv *cftest.Server) *cftest.DNS {
	t.Helper()
	d, err := cftest.NewDNS(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close fake DNS: %v", err)
		}
	})
	return d
}

func TestResolverSeesRecordsComeAndGo(t *testing.T) {
	srv := newFake(t)
	d := newFakeDNS(t, srv)
	p := newProvider(t, srv, testToken)
	r := &Resolver{Name: testEntry, Port: 7777, Server: d.Addr(), Timeout: 2 * time.Second}
	ctx := context.Background()

	if got, err := r.Resolve(ctx); !errors.Is(err, ErrNoEntryPoints) {
		t.Fatalf("no records: %v, %v; want ErrNoEntryPoints", got, err)
	}
	a, err := p.Create(ctx, netip.MustParseAddr("192.0.2.1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Create(ctx, netip.MustParseAddr("2001:db8::1")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Create(ctx, netip.MustParseAddr("192.0.2.0")); err != nil {
		t.Fatal(err)
	}
	got, err := r.Resolve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.AddrPort{
		netip.MustParseAddrPort("192.0.2.0:7777"),
		netip.MustParseAddrPort("192.0.2.1:7777"),
		netip.MustParseAddrPort("[2001:db8::1]:7777"),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("resolve = %v, want %v", got, want)
	}
	if err := p.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	got, err = r.Resolve(ctx)
	if err != nil || len(got) != 2 || slices.Contains(got, want[1]) {
		t.Fatalf("after delete: %v, %v", got, err)
	}
	// Case does not matter, and a trailing dot is fine.
	r2 := *r
	r2.Name = "ENTRY.tincan.example."
	if got, err := r2.Resolve(ctx); err != nil || len(got) != 2 {
		t.Fatalf("upper case name: %v, %v", got, err)
	}
}

func TestResolverNoData(t *testing.T) {
	srv := newFake(t)
	d := newFakeDNS(t, srv)
	srv.AddRecord("TXT", testEntry, "hello") // the name exists, with no addresses
	r := &Resolver{Name: testEntry, Port: 1, Server: d.Addr()}
	if _, err := r.Resolve(context.Background()); !errors.Is(err, ErrNoEntryPoints) {
		t.Fatalf("name without addresses: %v, want ErrNoEntryPoints", err)
	}
}

func TestResolverFallsBackToTCP(t *testing.T) {
	srv := newFake(t)
	d := newFakeDNS(t, srv)
	srv.AddRecord("A", testEntry, "192.0.2.44")
	d.Truncate(true)
	r := &Resolver{Name: testEntry, Port: 9, Server: d.Addr()}
	got, err := r.Resolve(context.Background())
	if err != nil || len(got) != 1 || got[0] != netip.MustParseAddrPort("192.0.2.44:9") {
		t.Fatalf("truncated over UDP: %v, %v", got, err)
	}
	// Two queries (A and AAAA), each over UDP then TCP.
	if q := d.Queries(); q != 4 {
		t.Fatalf("%d queries, want 4", q)
	}
}

func TestResolverTimeout(t *testing.T) {
	// A UDP socket that never answers.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	r := &Resolver{Name: testEntry, Port: 1, Server: pc.LocalAddr().String(), Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err = r.Resolve(context.Background())
	if err == nil || errors.Is(err, ErrNoEntryPoints) || !strings.Contains(err.Error(), pc.LocalAddr().String()) {
		t.Fatalf("silent server: %v; want a timeout naming the server", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("timeout took %v", el)
	}
}

func TestResolverSystem(t *testing.T) {
	r := &Resolver{Name: "localhost", Port: 5}
	got, err := r.Resolve(context.Background())
	if err != nil {
		t.Fatalf("system resolver, localhost: %v", err)
	}
	for _, ap := range got {
		if !ap.Addr().IsLoopback() || ap.Port() != 5 {
			t.Fatalf("localhost resolved to %v", got)
		}
	}
}

func TestResolverBadConfig(t *testing.T) {
	for _, r := range []Resolver{{Name: "", Port: 1}, {Name: "bad name", Port: 1}, {Name: testEntry}} {
		if _, err := r.Resolve(context.Background()); err == nil {
			t.Errorf("%+v resolved", r)
		}
	}
}

func TestNormalizeDNSServer(t *testing.T) {
	for in, want := range map[string]string{
		"1.1.1.1":          "1.1.1.1:53",
		"1.1.1.1:5353":     "1.1.1.1:5353",
		"::1":              "[::1]:53",
		"[::1]:54":         "[::1]:54",
		"[2001:db8::1]":    "[2001:db8::1]:53",
		"dns.example":      "dns.example:53",
		"dns.example:8053": "dns.example:8053",
	} {
		if got, err := NormalizeDNSServer(in); err != nil || got != want {
			t.Errorf("NormalizeDNSServer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1.1.1.1:0", "host:99999", "host:05", "a b", "host:", ":53", "h:1:2", "[::1", "x/y"} {
		if got, err := NormalizeDNSServer(in); err == nil {
			t.Errorf("NormalizeDNSServer(%q) = %q, want an error", in, got)
		}
	}
}
