package stun

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	pion "github.com/pion/stun/v3"
)

// fakeNAT5780 is an RFC 5780 server (two IPs, two ports, on loopback) that
// also plays the NAT in front of its one client: it reports the mapped
// address the modelled mapping would give, and drops the answers the
// modelled filtering would.
type fakeNAT5780 struct {
	socks   [4]*net.UDPConn // [ip1:p1, ip1:p2, ip2:p1, ip2:p2]
	mapping Mapping         // MappingIndependent, MappingAddressDependent, MappingAddressPortDependent, or MappingNone: no translation
	filter  Filtering       // FilteringIndependent, FilteringAddress or FilteringAddressPort
	other   bool            // name the other address in answers

	mu   sync.Mutex
	sent map[netip.AddrPort]bool // where the client's packets went: the NAT's holes
}

func startFake5780(t *testing.T, mapping Mapping, filter Filtering, other bool) *fakeNAT5780 {
	t.Helper()
	f := &fakeNAT5780{mapping: mapping, filter: filter, other: other, sent: map[netip.AddrPort]bool{}}
	p1, p2 := listen(t, "127.0.0.1"), listen(t, "127.0.0.1")
	f.socks[0], f.socks[1] = p1, p2
	for i, p := range []*net.UDPConn{p1, p2} {
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), addrOf(p).Port())))
		if err != nil {
			t.Fatalf("the fake server's second IP: %v", err)
		}
		t.Cleanup(func() { c.Close() })
		f.socks[2+i] = c
	}
	for i := range f.socks {
		go f.serve(i)
	}
	return f
}

func (f *fakeNAT5780) addr(i int) netip.AddrPort { return addrOf(f.socks[i]) }

func (f *fakeNAT5780) serve(i int) {
	buf := make([]byte, MaxPacket)
	for {
		n, from, err := f.socks[i].ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		req, err := parseRequest(buf[:n])
		if err != nil {
			continue
		}
		f.mu.Lock()
		f.sent[f.addr(i)] = true
		f.mu.Unlock()
		j := i
		if req.ChangeIP {
			j ^= 2
		}
		if req.ChangePort {
			j ^= 1
		}
		if !f.passes(f.addr(j)) {
			continue
		}
		mapped := f.mapped(i)
		if f.mapping == MappingNone {
			mapped = from
		}
		_, _ = f.socks[j].WriteToUDPAddrPort(f.answer(req.ID, mapped), from)
	}
}

// mapped is the client's address as the modelled NAT maps it toward socket i.
func (f *fakeNAT5780) mapped(i int) netip.AddrPort {
	port := uint16(40000)
	switch f.mapping {
	case MappingAddressDependent:
		port += uint16(i / 2)
	case MappingAddressPortDependent:
		port += uint16(i)
	}
	return netip.AddrPortFrom(netip.MustParseAddr("198.51.100.7"), port)
}

// passes says whether the modelled NAT lets in a packet from src.
func (f *fakeNAT5780) passes(src netip.AddrPort) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.filter {
	case FilteringAddress:
		for a := range f.sent {
			if a.Addr() == src.Addr() {
				return true
			}
		}
		return false
	case FilteringAddressPort:
		return f.sent[src]
	}
	return true
}

func (f *fakeNAT5780) answer(id txID, mapped netip.AddrPort) []byte {
	m := new(pion.Message)
	m.SetType(pion.BindingSuccess)
	m.TransactionID = id
	m.WriteHeader()
	_ = (&pion.XORMappedAddress{IP: mapped.Addr().AsSlice(), Port: int(mapped.Port())}).AddTo(m)
	if f.other {
		o := f.addr(3)
		_ = (&pion.OtherAddress{IP: o.Addr().AsSlice(), Port: int(o.Port())}).AddTo(m)
	}
	return m.Raw
}

// TestClassify5780 classifies behind every modelled NAT through one RFC
// 5780 server, and checks that a server that does not name its other
// address leaves the peers' method in charge.
func TestClassify5780(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mapping Mapping
		filter  Filtering
		typ     NATType
	}{
		{MappingIndependent, FilteringIndependent, TypeFullCone},
		{MappingIndependent, FilteringAddress, TypeAddressRestricted},
		{MappingIndependent, FilteringAddressPort, TypePortRestricted},
		{MappingAddressDependent, FilteringAddressPort, TypeSymmetric},
		{MappingAddressPortDependent, FilteringAddressPort, TypeSymmetric},
		{MappingAddressPortDependent, FilteringIndependent, TypeSymmetric},
	}
	for _, tc := range cases {
		t.Run(string(tc.mapping)+"/"+string(tc.filter), func(t *testing.T) {
			t.Parallel()
			f := startFake5780(t, tc.mapping, tc.filter, true)
			r, _ := classifyWith(t, nil, []netip.AddrPort{f.addr(0)})
			wantMapping := tc.mapping
			if tc.mapping != MappingIndependent {
				wantMapping = MappingDependent
			}
			if r.Method != MethodRFC5780 || r.Other != f.addr(3) {
				t.Errorf("method %s with other address %s, want %s with %s", r.Method, r.Other, MethodRFC5780, f.addr(3))
			}
			if r.Mapping != wantMapping || r.MappingDetail != tc.mapping || r.Filtering != tc.filter || r.Type != tc.typ {
				t.Errorf("got %s (%s) / %s / %s, want %s (%s) / %s / %s", r.Mapping, r.MappingDetail, r.Filtering, r.Type,
					wantMapping, tc.mapping, tc.filter, tc.typ)
			}
		})
	}
	t.Run("no other address", func(t *testing.T) {
		t.Parallel()
		f := startFake5780(t, MappingIndependent, FilteringAddress, false)
		r, _ := classifyWith(t, nil, []netip.AddrPort{f.addr(0)})
		if r.Method != MethodPeers || r.Other.IsValid() || r.MappingDetail != "" {
			t.Errorf("method %s, other address %s, mapping detail %q: want the peers' method without RFC 5780 results",
				r.Method, r.Other, r.MappingDetail)
		}
		if r.Mapping != MappingUnknown {
			t.Errorf("mapping %s from one server without an other address, want unknown", r.Mapping)
		}
	})
}

// TestClassify5780OwnHole: when the socket sent to the other address's IP
// lately, test II's answer would come through our own hole; a partner is
// asked instead.
func TestClassify5780OwnHole(t *testing.T) {
	t.Parallel()
	f := startFake5780(t, MappingNone, FilteringAddress, true)
	c := listen(t, "127.0.0.3")
	partner := listen(t, "127.0.0.5")
	m := NewMux(c, MuxOptions{Prober: proberOf(partner)})
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	m.sent.note(f.addr(3).Addr(), time.Now())
	r, err := m.Classify(ctx, []netip.AddrPort{f.addr(0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s / %s / %s: %q", r.Mapping, r.Filtering, r.Type, r.Probes)
	// The fake NAT does not see the partner's packet (it is not in its
	// model), so the partner's answer arrives: endpoint-independent.
	if r.Method != MethodRFC5780 || r.Filtering != FilteringIndependent || r.Mapping != MappingNone {
		t.Errorf("method %s, mapping %s, filtering %s: want %s, none, and the partner's answer deciding (endpoint-independent)",
			r.Method, r.Mapping, r.Filtering, MethodRFC5780)
	}
}
