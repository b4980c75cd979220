package stun

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Partner probes: RFC 5780 "change IP" without a second address. A node
// asks a peer it holds an authenticated link with (Prober) to send one
// Binding success response, from the peer's own STUN socket, to the node's
// mapped address; the node learns whether its NAT lets in a packet from an
// address it never sent to. The peer (Server.Probe) sends only to the IP
// address the asker's own link comes from: a liar can aim at most one small
// packet per request at some port of its own IP address, never at anyone
// else.

// Limits of Server.Probe: per asker and per destination IP, ProbeBurst
// probes at once and ProbeRate a second after that; ProbeTotal a second in
// all.
const (
	ProbeBurst = 6
	ProbeRate  = 1
	ProbeTotal = 100
)

// ErrNotOwner means a probe was asked for an address whose IP is not the
// asker's own.
var ErrNotOwner = errors.New("stun: probe destination is not the asker's own IP address")

// Asker is who asks for a partner probe.
type Asker struct {
	ID string     // the asker's authenticated identity (a node's GUID): its rate limit's key
	IP netip.Addr // the IP address the asker's authenticated link comes from, as this node sees it
}

// probeLimits are Probe's rate limits, apart from the server's answers'.
type probeLimits struct {
	byAsker *limiter[string]
	byDest  *limiter[netip.Addr]
}

func newProbeLimits() probeLimits {
	a := newLimiter[string](ProbeRate, ProbeTotal, limiterSize)
	d := newLimiter[netip.Addr](ProbeRate, ProbeTotal, limiterSize)
	a.burst, d.burst = ProbeBurst, ProbeBurst
	return probeLimits{byAsker: a, byDest: d}
}

// Probe sends, from the server's own socket, one Binding success response
// with transaction ID id to to, for a peer that asked over an authenticated
// link. It refuses (ErrNotOwner) unless to's IP is the asker's own, and is
// rate limited per asker and per destination IP (ErrRateLimited).
func (s *Server) Probe(to netip.AddrPort, from Asker, id [12]byte) error {
	to = netip.AddrPortFrom(to.Addr().Unmap(), to.Port())
	if !sendable(to) {
		return fmt.Errorf("STUN probe to %s: not a unicast address", to)
	}
	if to.Addr() != from.IP.Unmap() {
		return fmt.Errorf("STUN probe to %s for a peer at %s: %w", to, from.IP, ErrNotOwner)
	}
	now := time.Now()
	if !s.probes.byAsker.allow(from.ID, now) || !s.probes.byDest.allow(to.Addr(), now) {
		return fmt.Errorf("STUN probe to %s: %w", to, ErrRateLimited)
	}
	s.sent.note(to.Addr(), now)
	if _, err := s.conn.WriteToUDPAddrPort(buildSuccess(id, to), to); err != nil {
		return fmt.Errorf("STUN probe to %s: %w", to, err)
	}
	return nil
}
