package stun

import (
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

// ServerOptions configure a Server; the zero value serves plain Binding.
type ServerOptions struct {
	// Alt is a second socket on another port of the same address. With it
	// the server honours CHANGE-REQUEST "change port" by answering from
	// Alt. The server only writes to it: drain its reads elsewhere (a Mux
	// without a server will do).
	Alt    *net.UDPConn
	PerIP  int // requests a second per source IP; DefaultPerIP if 0
	Total  int // requests a second over all sources; DefaultTotal if 0
	Logger *slog.Logger
}

// Server answers STUN Binding requests that its owner feeds it with the
// XOR-MAPPED-ADDRESS they came from. It owns no goroutine and no read loop.
type Server struct {
	conn   *net.UDPConn
	alt    *net.UDPConn
	limit  *limiter[netip.Addr]
	probes probeLimits // Probe's own limits
	sent   *sentLog    // where conn sent to: shared with a Mux on conn
	log    *slog.Logger
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
	return &Server{conn: conn, alt: o.Alt, limit: newLimiter[netip.Addr](o.PerIP, o.Total, limiterSize),
		probes: newProbeLimits(), sent: newSentLog(), log: o.Logger}
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
	// "Change IP" is never passed on: this server has one address, and
	// the source of a UDP packet may be forged, so no other node is told
	// to send there (a node asks its own partners: see Probe).
	switch {
	case req.ChangePort && !req.ChangeIP && s.alt != nil:
		s.send(s.alt, buildSuccess(req.ID, from), from, len(b))
	case req.ChangeIP || req.ChangePort:
		s.send(s.conn, buildError(req.ID, codeUnknownAttribute, pion.AttrChangeRequest), from, len(b))
	default:
		s.send(s.conn, buildSuccess(req.ID, from), from, len(b))
	}
	return true
}

// send writes answer b to to from c, unless b is longer than the request
// it answers (in bytes): the source of a UDP request may be forged, so an
// answer may go to someone who never asked, and must not be a larger
// packet than the one that caused it.
func (s *Server) send(c *net.UDPConn, b []byte, to netip.AddrPort, reqLen int) {
	if len(b) > reqLen {
		s.log.Debug("STUN answer dropped: larger than its request", "to", to, "request", reqLen, "answer", len(b))
		return
	}
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
