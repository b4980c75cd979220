package node

import (
	"context"
	"net"
	"net/netip"
	"time"

	"tincan/core/stun"
)

// A symmetric NAT that hands out ports in sequence (each new flow gets the
// next one) can still be punched: we learn where its counter stands by a
// binding from a fresh socket (a new flow), and offer the next few ports as
// candidates. The contact dials them all from its listen port, which opens
// its own NAT for them; our dial to the contact then leaves on one of them,
// and the two SYNs meet.
const (
	predictAhead    = 5  // ports offered past the counter
	maxSequentialDt = 16 // the largest step between flows still called sequential
)

// sequential reports whether a classification saw an endpoint-dependent
// mapping whose ports rise by small steps from server to server.
func sequential(rep stun.Report) bool {
	if rep.Mapping != stun.MappingDependent {
		return false
	}
	var ports []uint16
	for _, a := range rep.Mapped {
		if a.IsValid() {
			ports = append(ports, a.Port())
		}
	}
	if len(ports) < 2 {
		return false
	}
	for i := 1; i < len(ports); i++ {
		d := int(ports[i]) - int(ports[i-1])
		if d <= 0 || d > maxSequentialDt {
			return false
		}
	}
	return true
}

// predicted returns the ports a sequential NAT will give our next flows,
// on its external address, or nil when the NAT is not sequential (or the
// counter could not be read).
func (p *natPart) predicted(ctx context.Context) []netip.AddrPort {
	p.mu.Lock()
	rep := p.report
	p.mu.Unlock()
	if rep == nil || !sequential(*rep) {
		return nil
	}
	var server netip.AddrPort
	for _, a := range p.servers() {
		server = a
		break
	}
	if !server.IsValid() {
		return nil
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{})
	if err != nil {
		return nil
	}
	defer conn.Close()
	bctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	now, err := stun.Binding(bctx, conn, server)
	if err != nil {
		return nil
	}
	out := make([]netip.AddrPort, 0, predictAhead)
	for i := 1; i <= predictAhead; i++ {
		port := int(now.Port()) + i
		if port > 65535 {
			break
		}
		out = append(out, netip.AddrPortFrom(now.Addr(), uint16(port)))
	}
	return out
}
