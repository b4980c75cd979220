package stun

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testProber is a node's partners: each sends its change-IP answers from a
// socket, as a peer's Server.Probe would.
type testProber struct {
	ips   []netip.Addr                // Partners, in order
	conns map[netip.Addr]*net.UDPConn // the socket each partner's answer leaves from; none: the answer is lost
	asked atomic.Int32
}

func (p *testProber) Partners() []netip.Addr { return p.ips }

func (p *testProber) AskProbe(ip netip.Addr, mapped netip.AddrPort, id [12]byte) bool {
	p.asked.Add(1)
	if c := p.conns[ip]; c != nil {
		_, _ = c.WriteToUDPAddrPort(buildSuccess(id, mapped), mapped)
	}
	return slices.Contains(p.ips, ip)
}

// proberOf makes each conn a partner at its own address.
func proberOf(conns ...*net.UDPConn) *testProber {
	p := &testProber{conns: map[netip.Addr]*net.UDPConn{}}
	for _, c := range conns {
		ip := addrOf(c).Addr()
		p.ips = append(p.ips, ip)
		p.conns[ip] = c
	}
	return p
}

// classifyWith classifies from a fresh socket on 127.0.0.3 with prober (nil: none).
func classifyWith(t *testing.T, prober Prober, servers []netip.AddrPort) (Report, *net.UDPConn) {
	t.Helper()
	c := listen(t, "127.0.0.3")
	m := NewMux(c, MuxOptions{Prober: prober})
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	start := time.Now()
	r, err := m.Classify(ctx, servers)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s / %s / %s in %v: %q", r.Mapping, r.Filtering, r.Type, time.Since(start).Round(time.Millisecond), r.Probes)
	return r, c
}

func TestClassifyLoopback(t *testing.T) {
	t.Parallel()
	a := startServer(t, "127.0.0.1", true, ServerOptions{})
	b := startServer(t, "127.0.0.2", true, ServerOptions{})
	plainA := startServer(t, "127.0.0.1", false, ServerOptions{})
	plainB := startServer(t, "127.0.0.2", false, ServerOptions{})
	dead := listen(t, "127.0.0.4") // an address no server answers from
	partner := listen(t, "127.0.0.5")
	lost := &testProber{ips: []netip.Addr{netip.MustParseAddr("127.0.0.6")}} // asked, never answers

	cases := []struct {
		name    string
		prober  Prober
		servers []netip.AddrPort
		want    Report
	}{
		{"partnered", proberOf(partner), []netip.AddrPort{a.addr(), b.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringIndependent, Type: TypeNone}},
		{"dead first", proberOf(partner), []netip.AddrPort{addrOf(dead), b.addr(), a.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringIndependent, Type: TypeNone}},
		{"plain", nil, []netip.AddrPort{plainA.addr(), plainB.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringUnknown, Type: TypeNone}},
		{"alternate port, no partner", nil, []netip.AddrPort{a.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringAddressOrLooser, Type: TypeNone}},
		{"partner probe lost", lost, []netip.AddrPort{a.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringAddress, Type: TypeNone}},
		// The only partner is at the first server's address, which the
		// client has sent to: it is not asked (its answer would prove
		// nothing), and a's alternate port answers.
		{"partner already contacted", proberOf(a.conn), []netip.AddrPort{a.addr(), b.addr()},
			Report{Mapping: MappingNone, Filtering: FilteringAddressOrLooser, Type: TypeNone}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, c := classifyWith(t, tc.prober, tc.servers)
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
// Server) came through our own hole and proves nothing. A partner at such
// an address is not asked; an answer that still comes from one is set
// aside and the next partner asked.
func TestClassifySetsAsideOwnHoles(t *testing.T) {
	t.Parallel()
	used := listen(t, "127.0.0.2")  // an address the client sent to
	fresh := listen(t, "127.0.0.4") // one it never sent to
	detour := netip.MustParseAddr("127.0.0.5")
	cases := []struct {
		name     string
		prober   *testProber
		want     Filtering
		wantNote string
	}{
		{"a used partner is skipped", proberOf(used, fresh), FilteringIndependent, "via partner 127.0.0.4: passed, from 127.0.0.4"},
		{"only a used partner", proberOf(used), FilteringAddressOrLooser, "no linked peer at an address this socket has not sent to"},
		// The partner at .5 answers from .2 (another address of its own,
		// one the client sent to): set aside, and .4 decides.
		{"an answer through a hole", &testProber{ips: []netip.Addr{detour, addrOf(fresh).Addr()},
			conns: map[netip.Addr]*net.UDPConn{detour: used, addrOf(fresh).Addr(): fresh}},
			FilteringIndependent, "passed, from 127.0.0.4:" + strconv.Itoa(int(addrOf(fresh).Port())) + "; answers from [127.0.0.2] set aside"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, "127.0.0.1", true, ServerOptions{})
			// The client as a node runs it: its own server on the socket,
			// which served as a partner for a node at 127.0.0.2.
			c := listen(t, "127.0.0.3")
			srv := NewServer(c, ServerOptions{})
			m := NewMux(c, MuxOptions{Server: srv, Prober: tc.prober})
			defer m.Close()
			if err := srv.Probe(addrOf(used), Asker{ID: "a node at .2", IP: addrOf(used).Addr()}, newID()); err != nil {
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
