package stun

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// offers5780 reports whether a server at s that named other as its other
// address (OTHER-ADDRESS) can run RFC 5780's tests: another IP and another
// port, of the same family.
func offers5780(s, other netip.AddrPort) bool {
	return other.IsValid() && other.Addr() != s.Addr() && other.Port() != s.Port() && other.Addr().Is4() == s.Addr().Is4()
}

// classify5780 runs RFC 5780's behaviour discovery (sections 4.3 and 4.4)
// against server s, whose answer to test I (a plain Binding, already made:
// rep.External) named o as its other address.
//
//   - Filtering first, before any packet goes to o's IP: test II asks s to
//     answer from o (CHANGE-REQUEST change IP and port); an answer means
//     endpoint-independent filtering. Test III asks s to answer from its
//     own IP and o's port (change port); an answer means address-dependent
//     filtering, none address-and-port-dependent. Both are asked at once.
//     If this socket sent to o's IP lately, test II's answer would come
//     through a hole of our own: a linked peer is asked instead (the
//     Mux's Prober), or the test counts as not made.
//   - Mapping: test II, a Binding with o's IP and s's port; the same
//     mapped address as test I means endpoint-independent mapping. Else
//     test III, a Binding with o: the same mapped address as test II means
//     address-dependent mapping, another one address-and-port-dependent.
func (m *Mux) classify5780(ctx context.Context, s, o netip.AddrPort, ours []netip.Addr, rep *Report) error {
	rep.Method, rep.Other = MethodRFC5780, o
	ipRes, portRes, err := m.filter5780(ctx, s, o, rep)
	if err != nil {
		return err
	}
	rep.Filtering = filtering(ipRes, portRes)

	local := rep.Local
	if slices.Contains(ours, rep.External.Addr()) && rep.External.Port() == local.Port() {
		rep.Mapping, rep.MappingDetail = MappingNone, MappingNone
		rep.Type = natType(rep.Mapping, rep.Filtering)
		return nil
	}
	for i, dst := range []netip.AddrPort{netip.AddrPortFrom(o.Addr(), s.Port()), o} {
		mapped, err := m.quickBinding(ctx, dst)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, ErrClosed) {
				return fmt.Errorf("classify: %w", err)
			}
			rep.note("mapping test %s: %v", roman(i+2), err)
			rep.Mapping, rep.MappingDetail = MappingUnknown, MappingUnknown
			if i == 1 {
				// Test II already showed a dependent mapping.
				rep.Mapping = MappingDependent
			}
			break
		}
		rep.OtherMapped[i] = mapped
		rep.note("mapping test %s: binding %s: mapped %s", roman(i+2), dst, mapped)
		if i == 0 && mapped == rep.External {
			rep.Mapping, rep.MappingDetail = MappingIndependent, MappingIndependent
			break
		}
		if i == 1 {
			rep.Mapping, rep.MappingDetail = MappingDependent, MappingAddressPortDependent
			if mapped == rep.OtherMapped[0] {
				rep.MappingDetail = MappingAddressDependent
			}
		}
	}
	rep.Type = natType(rep.Mapping, rep.Filtering)
	return nil
}

// filter5780 makes RFC 5780's filtering tests II and III against s at once.
func (m *Mux) filter5780(ctx context.Context, s, o netip.AddrPort, rep *Report) (ipRes, portRes probeResult, err error) {
	var ipErr, portErr error
	var ipNote, portNote string
	var wg sync.WaitGroup
	wg.Go(func() { ipRes, ipNote, ipErr = m.changeIPPort(ctx, s, o) })
	wg.Go(func() { portRes, portNote, portErr = m.changePort(ctx, s) })
	wg.Wait()
	rep.Probes = append(rep.Probes, ipNote, portNote)
	if err := errors.Join(ipErr, portErr); err != nil {
		return ipRes, portRes, fmt.Errorf("classify: %w", err)
	}
	if ipRes == untested && m.prober != nil {
		contacted := map[netip.Addr]bool{s.Addr(): true, o.Addr(): true}
		var note string
		ipRes, note, err = m.partnerProbe(ctx, rep.External, contacted)
		rep.note("%s", note)
		if err != nil {
			return ipRes, portRes, fmt.Errorf("classify: %w", err)
		}
	}
	return ipRes, portRes, nil
}

// changeIPPort is RFC 5780's filtering test II: s is asked to answer from
// its other address o. An answer from an address this socket sent to
// lately came through a hole of our own and proves nothing.
func (m *Mux) changeIPPort(ctx context.Context, s, o netip.AddrPort) (probeResult, string, error) {
	if m.sent.recent(o.Addr(), time.Now()) {
		return untested, fmt.Sprintf("filtering test II via %s: not made (this socket sent to %s lately)", s, o.Addr()), nil
	}
	r, err := m.transact(ctx, s, true, true, probeRTO, probeTries, func(r reply) bool {
		return r.from == s || r.resp.OK && r.from.Addr() != s.Addr()
	})
	switch {
	case errors.Is(err, ErrNoAnswer):
		return blocked, fmt.Sprintf("filtering test II via %s: blocked (no answer from %s)", s, o), nil
	case err != nil:
		return untested, fmt.Sprintf("filtering test II via %s: %v", s, err), fmt.Errorf("change-IP-and-port probe via %s: %w", s, err)
	case r.from == s:
		return untested, fmt.Sprintf("filtering test II via %s: not offered (answered from the server itself)", s), nil
	case m.sent.recent(r.from.Addr(), time.Now()):
		return untested, fmt.Sprintf("filtering test II via %s: answer from %s set aside (this socket sent there lately)", s, r.from), nil
	}
	return passed, fmt.Sprintf("filtering test II via %s: passed, from %s", s, r.from), nil
}

// roman names RFC 5780's tests.
func roman(n int) string {
	return [...]string{"", "I", "II", "III"}[n]
}
