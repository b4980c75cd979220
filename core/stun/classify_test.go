package stun

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// pair starts two servers at two loopback addresses, each the other's
// partner, each with an alternate port unless noAlt.
func pair(t *testing.T, noAlt bool) (a, b *testServer) {
	var pa, pb atomic.Pointer[Server]
	a = startServer(t, "127.0.0.1", !noAlt, PartnerFunc(func(to netip.AddrPort, id [12]byte) { _ = pb.Load().Probe(to, id) }), ServerOptions{})
	b = startServer(t, "127.0.0.2", !noAlt, PartnerFunc(func(to netip.AddrPort, id [12]byte) { _ = pa.Load().Probe(to, id) }), ServerOptions{})
	pa.Store(a.srv)
	pb.Store(b.srv)
	return a, b
}

func TestClassifyLoopback(t *testing.T) {
	t.Parallel()
	a, b := pair(t, false)
	plainA := startServer(t, "127.0.0.1", false, nil, ServerOptions{})
	plainB := startServer(t, "127.0.0.2", false, nil, ServerOptions{})
	onlyAlt := startServer(t, "127.0.0.1", true, nil, ServerOptions{})
	// A partner that never sends: as if a NAT dropped its probe.
	dropper := startServer(t, "127.0.0.1", true, PartnerFunc(func(netip.AddrPort, [12]byte) {}), ServerOptions{})
	dead := listen(t, "127.0.0.4") // an address no partner answers from

	cases := []struct {
		name    string
		servers []netip.AddrPort
		want    Report
	}{
		{"partnered", []netip.AddrPort{a.addr(), b.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringIndependent, Type: TypeNone}},
		{"dead first", []netip.AddrPort{addrOf(dead), b.addr(), a.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringIndependent, Type: TypeNone}},
		{"plain", []netip.AddrPort{plainA.addr(), plainB.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringUnknown, Type: TypeNone}},
		{"alternate port only", []netip.AddrPort{onlyAlt.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringAddressOrLooser, Type: TypeNone}},
		{"partner probe lost", []netip.AddrPort{dropper.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringAddress, Type: TypeNone}},
		// plainA refuses both probes; b's partner answers from a's address,
		// which the client has sent to: that proves nothing (it is not
		// endpoint-independent filtering), and b's alternate port answers.
		{"partner already contacted", []netip.AddrPort{plainA.addr(), {}, b.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringAddressOrLooser, Type: TypeNone}},
	}
	cases[5].servers[1] = plainA.addr() // same IP as the first: skipped for mapping, asked for probes
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := listen(t, "127.0.0.3")
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			start := time.Now()
			r, err := Classify(ctx, c, tc.servers)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v in %v", r, time.Since(start).Round(time.Millisecond))
			if r.External != addrOf(c) || r.Local != addrOf(c) {
				t.Errorf("external %s local %s, want both %s", r.External, r.Local, addrOf(c))
			}
			if r.Mapping != tc.want.Mapping || r.Filtering != tc.want.Filtering || r.Type != tc.want.Type {
				t.Errorf("got %s / %s / %s, want %s / %s / %s", r.Mapping, r.Filtering, r.Type,
					tc.want.Mapping, tc.want.Filtering, tc.want.Type)
			}
		})
	}
}

func TestClassifyNoServer(t *testing.T) {
	t.Parallel()
	c := listen(t, "127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Classify(ctx, c, nil); err == nil {
		t.Error("classify with no servers succeeded")
	}
	if _, err := Classify(ctx, c, []netip.AddrPort{addrOf(listen(t, "127.0.0.1"))}); err == nil {
		t.Error("classify with a silent server succeeded")
	}
}

func TestNATType(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ip, port probeResult
		mapping  Mapping
		f        Filtering
		typ      NATType
	}{
		{passed, passed, MappingIndependent, FilteringIndependent, TypeFullCone},
		{passed, untested, MappingIndependent, FilteringIndependent, TypeFullCone},
		{passed, blocked, MappingIndependent, FilteringUnknown, TypeUnknown},
		{blocked, passed, MappingIndependent, FilteringAddress, TypeAddressRestricted},
		{blocked, blocked, MappingIndependent, FilteringAddressPort, TypePortRestricted},
		{untested, blocked, MappingIndependent, FilteringAddressPort, TypePortRestricted},
		{blocked, untested, MappingIndependent, FilteringAddressOrStricter, TypeUnknown},
		{untested, passed, MappingIndependent, FilteringAddressOrLooser, TypeUnknown},
		{untested, untested, MappingIndependent, FilteringUnknown, TypeUnknown},
		{blocked, blocked, MappingDependent, FilteringAddressPort, TypeSymmetric},
		{blocked, blocked, MappingNone, FilteringAddressPort, TypeNone},
		{passed, passed, MappingUnknown, FilteringIndependent, TypeUnknown},
	}
	for _, c := range cases {
		f := filtering(c.ip, c.port)
		if f != c.f {
			t.Errorf("filtering(%d, %d) = %s, want %s", c.ip, c.port, f, c.f)
		}
		if typ := natType(c.mapping, f); typ != c.typ {
			t.Errorf("natType(%s, %s) = %s, want %s", c.mapping, f, typ, c.typ)
		}
	}
}

// TestClassifySetsAsideOwnHoles: a change-IP answer from an address the
// socket sent to recently (here: as another node's partner, through its own
// Server) came through our own hole and proves nothing; the server is asked
// again and a partner the socket never sent to decides.
func TestClassifySetsAsideOwnHoles(t *testing.T) {
	t.Parallel()
	used := listen(t, "127.0.0.2")  // a partner the client sent to
	fresh := listen(t, "127.0.0.4") // a partner it never sent to
	cases := []struct {
		name     string
		partners []*net.UDPConn // taken in turn, one per change-IP request
		want     Filtering
		wantNote string
	}{
		{"another partner answers", []*net.UDPConn{used, fresh}, FilteringIndependent, "passed, from 127.0.0.4"},
		{"only a used partner", []*net.UDPConn{used}, FilteringAddressOrLooser, "untested; answers from [127.0.0.2 127.0.0.2 127.0.0.2] set aside"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var turn atomic.Int32
			s := startServer(t, "127.0.0.1", true, PartnerFunc(func(to netip.AddrPort, id [12]byte) {
				p := tc.partners[int(turn.Add(1)-1)%len(tc.partners)]
				_, _ = p.WriteToUDPAddrPort(buildSuccess(id, to), to)
			}), ServerOptions{})
			// The client as a node runs it: its own server on the socket.
			c := listen(t, "127.0.0.3")
			srv := NewServer(c, ServerOptions{})
			m := NewMux(c, MuxOptions{Server: srv})
			defer m.Close()
			if err := srv.Probe(addrOf(used), newID()); err != nil {
				t.Fatalf("the client could not send a partner probe: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			r, err := m.Classify(ctx, []netip.AddrPort{s.addr()})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s / %s: %q", r.Filtering, r.Type, r.Probes)
			if r.Filtering != tc.want {
				t.Errorf("filtering is %s, want %s", r.Filtering, tc.want)
			}
			if !slices.ContainsFunc(r.Probes, func(p string) bool { return strings.Contains(p, tc.wantNote) }) {
				t.Errorf("no probe note says %q: %q", tc.wantNote, r.Probes)
			}
		})
	}
}
