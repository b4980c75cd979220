package stun

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Mapping is how a NAT maps one socket's flows (RFC 4787 section 4.1).
type Mapping string

// Mappings Classify tells apart.
const (
	MappingNone        Mapping = "none"                 // no translation: the server saw our own address
	MappingIndependent Mapping = "endpoint-independent" // one mapped address for every destination
	MappingDependent   Mapping = "endpoint-dependent"   // another mapped address per destination
	MappingUnknown     Mapping = "unknown"              // no second server at another IP answered
	// The two endpoint-dependent mappings RFC 5780's test III tells apart
	// (only in Report.MappingDetail; Report.Mapping says MappingDependent).
	MappingAddressDependent     Mapping = "address-dependent"          // a new mapping per destination IP
	MappingAddressPortDependent Mapping = "address-and-port-dependent" // a new mapping per destination IP and port
)

// Method is how Classify tested the NAT.
type Method string

// Methods of Classify.
const (
	// MethodRFC5780: RFC 5780's tests against one server that named its
	// other address (OTHER-ADDRESS) and honours CHANGE-REQUEST.
	MethodRFC5780 Method = "rfc5780"
	// MethodPeers: the mapped address from servers at two IPs, and change
	// probes from linked peers (partners) and the servers' second ports.
	MethodPeers Method = "peers"
)

// Filtering is which unsolicited packets reach a mapped address (RFC 4787 section 5).
type Filtering string

// Filterings Classify tells apart. The two "-or-" values are what is left
// when only one of the two probes could be made.
const (
	FilteringIndependent       Filtering = "endpoint-independent"
	FilteringAddress           Filtering = "address-dependent"
	FilteringAddressPort       Filtering = "address-and-port-dependent"
	FilteringAddressOrStricter Filtering = "address-dependent-or-stricter"             // change-IP blocked, change-port not tried
	FilteringAddressOrLooser   Filtering = "endpoint-independent-or-address-dependent" // change-port passed, change-IP not tried
	FilteringUnknown           Filtering = "unknown"
)

const (
	probeRTO           = 300 * time.Millisecond
	probeTries         = 3 // a probe is declared blocked after 2.1 s
	maxClassifyServers = 8 // servers looked at, at most
	filterServers      = 3 // servers asked for change probes, at most
	// changeIPAsks is how often one server is asked for a change-IP answer
	// while each answer comes through a hole this socket opened (a server
	// may pick another partner each time).
	changeIPAsks = 3
)

// NATType is the classic name of a mapping and filtering pair.
type NATType string

// NAT types.
const (
	TypeNone              NATType = "none" // no translation (a firewall may still filter: see Filtering)
	TypeFullCone          NATType = "full-cone"
	TypeAddressRestricted NATType = "address-restricted"
	TypePortRestricted    NATType = "port-restricted"
	TypeSymmetric         NATType = "symmetric"
	TypeUnknown           NATType = "unknown"
)

// Report is what Classify learnt about the NAT in front of a socket.
type Report struct {
	Local     netip.AddrPort   // the socket's own address (the IP may be unspecified)
	External  netip.AddrPort   // the address the first answering server saw
	Mapped    []netip.AddrPort // per server, in order: what it saw; invalid if not asked or no answer
	Mapping   Mapping
	Filtering Filtering
	Type      NATType
	Method    Method // how the NAT was tested
	// MappingDetail is, with MethodRFC5780, the mapping told apart further:
	// MappingAddressDependent or MappingAddressPortDependent when Mapping
	// is MappingDependent, else Mapping itself; "" with MethodPeers.
	MappingDetail Mapping
	// Other is the RFC 5780 server's other address (OTHER-ADDRESS), and
	// OtherMapped what RFC 5780's mapping tests II (other IP, same port)
	// and III (other IP and port) saw; invalid where not made.
	Other       netip.AddrPort
	OtherMapped [2]netip.AddrPort
	// Probes says what each probe found, one line each, in order: what a
	// surprising answer is diagnosed from.
	Probes []string
}

// probeResult is the outcome of one CHANGE-REQUEST probe.
type probeResult int

const (
	untested probeResult = iota // the server cannot make this probe (or its answer proves nothing)
	passed                      // the answer from the other address or port arrived
	blocked                     // the server took the request, and no answer arrived
)

// Classify finds the socket's external address and names the NAT in front
// of it, asking servers through the socket m reads. If the first server
// that answers names its other address (an RFC 5780 server with two IPs
// and two ports), it runs RFC 5780's tests against that server alone
// (classify5780). Otherwise:
//
//   - External: Binding with the first server that answers (A).
//   - Filtering: a "change IP" answer to the external address from a
//     linked peer (the Mux's Prober) at an address the socket has not sent
//     to in the last minutes (an answer through a hole of our own is set
//     aside and the next peer asked), or without a Prober a CHANGE-REQUEST
//     to A; and a "change port" to A, answered from A's alternate port
//     (the next servers are asked if A cannot make one). Both are asked
//     before any other server is contacted, so a restricted NAT has no
//     hole for the partner yet.
//   - Mapping: Binding with the next server at another IP; the same mapped
//     address means endpoint-independent mapping.
//
// It fails only if no server answers at all. If the socket is bound to an
// unspecified address, "no NAT" is judged against the interface addresses
// of the calling thread's network namespace.
func (m *Mux) Classify(ctx context.Context, servers []netip.AddrPort) (Report, error) {
	if len(servers) == 0 {
		return Report{}, errors.New("classify: no STUN servers")
	}
	servers = servers[:min(len(servers), maxClassifyServers)]
	local := m.LocalAddr()
	ours, err := localIPs(local.Addr())
	if err != nil {
		return Report{}, err
	}
	rep := Report{Local: local, Mapped: make([]netip.AddrPort, len(servers)),
		Mapping: MappingUnknown, Filtering: FilteringUnknown, Type: TypeUnknown}
	contacted := map[netip.Addr]bool{}

	a := -1
	var lastErr error
	var other netip.AddrPort
	for i, s := range servers {
		contacted[s.Addr()] = true
		resp, err := m.bindingResponse(ctx, s, probeRTO, probeTries)
		mapped := resp.Mapped
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, ErrClosed) {
				return rep, fmt.Errorf("classify: %w", err)
			}
			rep.note("%v", err)
			lastErr = err
			continue
		}
		rep.note("binding %s: mapped %s", s, mapped)
		if resp.Other.IsValid() {
			rep.note("binding %s: other address %s", s, resp.Other)
		}
		rep.Mapped[i], rep.External, a, other = mapped, mapped, i, resp.Other
		break
	}
	if a < 0 {
		return rep, fmt.Errorf("classify: no server answered: %w", lastErr)
	}
	if offers5780(servers[a], other) {
		err := m.classify5780(ctx, servers[a], other, ours, &rep)
		return rep, err
	}
	rep.Method = MethodPeers

	ipRes, portRes, err := m.filterProbes(ctx, servers, a, contacted, &rep)
	if err != nil {
		return rep, err
	}
	rep.Filtering = filtering(ipRes, portRes)

	if slices.Contains(ours, rep.External.Addr()) && rep.External.Port() == local.Port() {
		rep.Mapping = MappingNone
	} else {
		for i, s := range servers[a+1:] {
			if s.Addr() == servers[a].Addr() {
				continue
			}
			mapped, err := m.quickBinding(ctx, s)
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, ErrClosed) {
					return rep, fmt.Errorf("classify: %w", err)
				}
				rep.note("mapping: %v", err)
				continue
			}
			rep.note("mapping: binding %s: mapped %s", s, mapped)
			rep.Mapped[a+1+i] = mapped
			rep.Mapping = MappingDependent
			if mapped == rep.External {
				rep.Mapping = MappingIndependent
			}
			break
		}
	}
	if rep.Mapping == MappingUnknown {
		rep.note("mapping: no server at a second IP answered")
	}
	rep.Type = natType(rep.Mapping, rep.Filtering)
	return rep, nil
}

// note adds a line to Probes.
func (r *Report) note(format string, args ...any) {
	r.Probes = append(r.Probes, fmt.Sprintf(format, args...))
}

// Classify is Mux.Classify on a socket that nobody else reads meanwhile: it
// reads conn itself until done, and leaves conn open.
func Classify(ctx context.Context, conn *net.UDPConn, servers []netip.AddrPort) (Report, error) {
	m := NewMux(conn, MuxOptions{})
	r, err := m.Classify(ctx, servers)
	return r, errors.Join(err, m.Close())
}

// filterProbes makes the change-IP and change-port probes: both to server
// a at once, then to the next servers one by one for a probe a could not make.
func (m *Mux) filterProbes(ctx context.Context, servers []netip.AddrPort, a int, contacted map[netip.Addr]bool, rep *Report) (ipRes, portRes probeResult, err error) {
	var ipErr, portErr error
	var ipNote, portNote string
	var wg sync.WaitGroup
	wg.Go(func() { ipRes, ipNote, ipErr = m.changeIP(ctx, servers[a], rep.External, contacted) })
	wg.Go(func() { portRes, portNote, portErr = m.changePort(ctx, servers[a]) })
	wg.Wait()
	rep.Probes = append(rep.Probes, ipNote, portNote)
	if err := errors.Join(ipErr, portErr); err != nil {
		return ipRes, portRes, fmt.Errorf("classify: %w", err)
	}
	for i := a + 1; i < len(servers) && i < a+filterServers && (ipRes == untested || portRes == untested); i++ {
		s := servers[i]
		contacted[s.Addr()] = true
		var note string
		if ipRes == untested {
			ipRes, note, err = m.changeIP(ctx, s, rep.External, contacted)
			rep.note("%s", note)
			if err != nil {
				return ipRes, portRes, fmt.Errorf("classify: %w", err)
			}
		}
		if portRes == untested {
			portRes, note, err = m.changePort(ctx, s)
			rep.note("%s", note)
			if err != nil {
				return ipRes, portRes, fmt.Errorf("classify: %w", err)
			}
		}
	}
	return ipRes, portRes, nil
}

// changeIP asks for an answer to mapped from another IP address: from a
// linked peer (partnerProbe) if the Mux has a Prober and a peer can be
// asked, else from s's second address.
func (m *Mux) changeIP(ctx context.Context, s, mapped netip.AddrPort, contacted map[netip.Addr]bool) (probeResult, string, error) {
	if m.prober != nil {
		res, note, err := m.partnerProbe(ctx, mapped, contacted)
		if res != untested || err != nil {
			return res, note, err
		}
		res, note2, err := m.serverChangeIP(ctx, s, contacted)
		return res, note + "; " + note2, err
	}
	return m.serverChangeIP(ctx, s, contacted)
}

// serverChangeIP asks s for an answer from another IP address (an RFC 5780
// server with two; a tincan node answers error 420). An answer from an
// address this classification has sent to, or that this socket sent to
// recently for any reason (a partner probe for another node, say), came
// through a hole of our own making and proves nothing about filtering: s
// is asked again.
func (m *Mux) serverChangeIP(ctx context.Context, s netip.AddrPort, contacted map[netip.Addr]bool) (probeResult, string, error) {
	var holes []netip.Addr
	for range changeIPAsks {
		r, err := m.transact(ctx, s, true, false, probeRTO, probeTries, func(r reply) bool {
			return r.from == s || r.resp.OK && r.from.Addr() != s.Addr()
		})
		switch {
		case errors.Is(err, ErrNoAnswer):
			return blocked, fmt.Sprintf("change-IP via %s: blocked (no answer)%s", s, heldHoles(holes)), nil
		case err != nil:
			return untested, fmt.Sprintf("change-IP via %s: %v", s, err), fmt.Errorf("change-IP probe via %s: %w", s, err)
		case r.from == s:
			return untested, fmt.Sprintf("change-IP via %s: not offered (answered from the server itself)", s), nil
		case contacted[r.from.Addr()] || m.sent.recent(r.from.Addr(), time.Now()):
			holes = append(holes, r.from.Addr())
			continue
		}
		return passed, fmt.Sprintf("change-IP via %s: passed, from %s%s", s, r.from, heldHoles(holes)), nil
	}
	return untested, fmt.Sprintf("change-IP via %s: untested%s", s, heldHoles(holes)), nil
}

// heldHoles describes the change-IP answers set aside for arriving through
// our own holes.
func heldHoles(ips []netip.Addr) string {
	if len(ips) == 0 {
		return ""
	}
	return fmt.Sprintf("; answers from %v set aside (this socket sent there recently)", ips)
}

// changePort asks s for an answer from another port of its address.
func (m *Mux) changePort(ctx context.Context, s netip.AddrPort) (probeResult, string, error) {
	r, err := m.transact(ctx, s, false, true, probeRTO, probeTries, func(r reply) bool {
		return r.from == s || r.resp.OK && r.from.Addr() == s.Addr()
	})
	switch {
	case errors.Is(err, ErrNoAnswer):
		return blocked, fmt.Sprintf("change-port via %s: blocked (no answer)", s), nil
	case err != nil:
		return untested, fmt.Sprintf("change-port via %s: %v", s, err), fmt.Errorf("change-port probe via %s: %w", s, err)
	case r.from == s:
		return untested, fmt.Sprintf("change-port via %s: not offered (answered from the server's own port)", s), nil
	}
	return passed, fmt.Sprintf("change-port via %s: passed, from %s", s, r.from), nil
}

// filtering names the filtering the two probes show.
func filtering(ip, port probeResult) Filtering {
	switch {
	case ip == passed && port == blocked:
		return FilteringUnknown // contradictory: a lost answer, or a changing NAT
	case ip == passed:
		return FilteringIndependent
	case port == blocked:
		return FilteringAddressPort
	case ip == blocked && port == passed:
		return FilteringAddress
	case ip == blocked:
		return FilteringAddressOrStricter
	case port == passed:
		return FilteringAddressOrLooser
	}
	return FilteringUnknown
}

// natType names a mapping and filtering pair.
func natType(m Mapping, f Filtering) NATType {
	switch m {
	case MappingNone:
		return TypeNone
	case MappingDependent:
		return TypeSymmetric
	case MappingIndependent:
		switch f {
		case FilteringIndependent:
			return TypeFullCone
		case FilteringAddress:
			return TypeAddressRestricted
		case FilteringAddressPort:
			return TypePortRestricted
		}
	}
	return TypeUnknown
}

// localIPs lists the addresses that count as "ours": the bound address, or
// every interface address if the socket is bound to an unspecified one.
func localIPs(bound netip.Addr) ([]netip.Addr, error) {
	bound = bound.Unmap()
	if bound.IsValid() && !bound.IsUnspecified() {
		return []netip.Addr{bound}, nil
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("classify: interface addresses: %w", err)
	}
	var out []netip.Addr
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, p.Addr().Unmap())
		}
	}
	return out, nil
}
