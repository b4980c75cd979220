package stun

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	pion "github.com/pion/stun/v3"
)

// Default limits of a Server.
const (
	DefaultPerIP = 20   // requests a second (and burst) per source IP
	DefaultTotal = 500  // requests a second (and burst) over all sources
	limiterSize  = 1024 // source IPs remembered by the rate limiter
)

// Partner is another STUN server, at another IP address, that sends
// change-IP answers for this one: the node passes the request on over an
// authenticated link (never over plain UDP, so no stranger can aim it).
type Partner interface {
	// ProbeFor asks the partner to send a Binding success response with
	// transaction ID id to to, the source address this server saw. It must
	// not block: queue the request and return.
	ProbeFor(to netip.AddrPort, id [12]byte)
}

// PartnerFunc adapts a function to a Partner.
type PartnerFunc func(to netip.AddrPort, id [12]byte)

// ProbeFor calls f.
func (f PartnerFunc) ProbeFor(to netip.AddrPort, id [12]byte) { f(to, id) }

// ServerOptions configure a Server; the zero value serves plain Binding.
type ServerOptions struct {
	// Alt is a second socket on another port of the same address. With it
	// the server honours CHANGE-REQUEST "change port" by answering from
	// Alt. The server only writes to it: drain its reads elsewhere (a Mux
	// without a server will do).
	Alt *net.UDPConn
	// Partner answers CHANGE-REQUEST "change IP" from its own address.
	Partner Partner
	PerIP   int // requests a second per source IP; DefaultPerIP if 0
	Total   int // requests a second over all sources; DefaultTotal if 0
	Logger  *slog.Logger
}

// Server answers STUN Binding requests that its owner feeds it with the
// XOR-MAPPED-ADDRESS they came from. It owns no goroutine and no read loop.
type Server struct {
	conn    *net.UDPConn
	alt     *net.UDPConn
	partner Partner
	limit   *limiter
	sent    *sentLog // where conn sent to: shared with a Mux on conn
	log     *slog.Logger
}

// NewServer returns a server answering from conn (the socket its requests
// arrive on). It never closes conn or Alt.
func NewServer(conn *net.UDPConn, o ServerOptions) *Server {
	if o.PerIP <= 0 {
		o.PerIP = DefaultPerIP
	}
	if o.Total <= 0 {
		o.Total = DefaultTotal
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{conn: conn, alt: o.Alt, partner: o.Partner,
		limit: newLimiter(o.PerIP, o.Total, limiterSize), sent: newSentLog(), log: o.Logger}
}

// HandlePacket answers b if it is a STUN request that arrived from from on
// the server's socket. It reports whether b was a STUN request (answered,
// refused or dropped); false means b is someone else's packet. b is not kept.
func (s *Server) HandlePacket(b []byte, from netip.AddrPort) (handled bool) {
	if !IsSTUN(b) || stunClass(b) != pion.ClassRequest && stunClass(b) != pion.ClassIndication {
		return false
	}
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if !sendable(from) {
		return true
	}
	req, err := parseRequest(b)
	if err != nil {
		return true // indications, other methods, oversized or malformed
	}
	if !s.limit.allow(from.Addr(), time.Now()) {
		return true
	}
	switch {
	case req.ChangeIP && s.partner != nil:
		s.partner.ProbeFor(from, req.ID)
	case req.ChangeIP:
		s.send(s.conn, buildError(req.ID, codeUnknownAttribute, pion.AttrChangeRequest), from)
	case req.ChangePort && s.alt != nil:
		s.send(s.alt, buildSuccess(req.ID, from), from)
	case req.ChangePort:
		s.send(s.conn, buildError(req.ID, codeUnknownAttribute, pion.AttrChangeRequest), from)
	default:
		s.send(s.conn, buildSuccess(req.ID, from), from)
	}
	return true
}

// Probe sends, from the server's own socket, a Binding success response
// with transaction ID id to to: a partner's change-IP answer. Call it only
// for a request that came over an authenticated link from a partner
// server; it is rate limited per destination like any answer.
func (s *Server) Probe(to netip.AddrPort, id [12]byte) error {
	to = netip.AddrPortFrom(to.Addr().Unmap(), to.Port())
	if !sendable(to) {
		return fmt.Errorf("STUN probe to %s: not a unicast address", to)
	}
	if !s.limit.allow(to.Addr(), time.Now()) {
		return fmt.Errorf("STUN probe to %s: %w", to, ErrRateLimited)
	}
	s.sent.note(to.Addr(), time.Now())
	if _, err := s.conn.WriteToUDPAddrPort(buildSuccess(id, to), to); err != nil {
		return fmt.Errorf("STUN probe to %s: %w", to, err)
	}
	return nil
}

func (s *Server) send(c *net.UDPConn, b []byte, to netip.AddrPort) {
	if c == s.conn {
		s.sent.note(to.Addr(), time.Now())
	}
	if _, err := c.WriteToUDPAddrPort(b, to); err != nil {
		s.log.Debug("STUN answer", "to", to, "err", err)
	}
}

// stunClass is the message class of a framed STUN message.
func stunClass(b []byte) pion.MessageClass {
	var t pion.MessageType
	t.ReadValue(uint16(b[0])<<8 | uint16(b[1]))
	return t.Class
}

// sendable reports whether an answer may go to a: a unicast address and a
// non-zero port.
func sendable(a netip.AddrPort) bool {
	ip := a.Addr()
	return a.Port() != 0 && ip.IsValid() && !ip.IsUnspecified() && !ip.IsMulticast() &&
		!(ip.Is4() && ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}))
}
