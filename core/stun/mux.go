package stun

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	pion "github.com/pion/stun/v3"
)

// MaxPacket is the largest datagram a Mux passes on; longer ones are dropped.
const MaxPacket = 2048

// MuxOptions configure a Mux.
type MuxOptions struct {
	Server *Server // answers STUN requests arriving on the socket; nil drops them
	// Other gets every packet that is not STUN and that no route matched;
	// nil drops them. Like a route's handler it runs on the read loop.
	Other func(b []byte, from netip.AddrPort)
	// Prober asks linked peers for Classify's change-IP answers; nil asks
	// the servers themselves (CHANGE-REQUEST), which only RFC 5780 servers
	// with a second address can answer.
	Prober Prober
	Logger *slog.Logger
}

// Mux owns the reads of one UDP socket shared by STUN (server and client)
// and other users. STUN requests go to the Server, STUN responses to the
// client transaction with their transaction ID, and other packets to the
// first route that matches them, else to Other.
//
// Match functions and handlers run on the read loop: they must not block,
// and must copy b if they keep it. The Mux writes to the socket but never
// closes it; Close clears the socket's read deadline.
type Mux struct {
	conn   *net.UDPConn
	srv    *Server
	other  func([]byte, netip.AddrPort)
	prober Prober
	sent   *sentLog // where conn sent to, by any writer
	log    *slog.Logger

	mu      sync.Mutex
	closed  bool
	pending map[txID]chan reply
	routes  []*route

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

type route struct {
	match func([]byte) bool
	fn    func([]byte, netip.AddrPort)
}

// reply is a STUN response and where it came from.
type reply struct {
	resp response
	from netip.AddrPort
}

// NewMux starts reading conn. Close stops the reads and leaves conn open.
func NewMux(conn *net.UDPConn, o MuxOptions) *Mux {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Mux{conn: conn, srv: o.Server, other: o.Other, prober: o.Prober, log: o.Logger,
		pending: map[txID]chan reply{}, stop: make(chan struct{}), done: make(chan struct{})}
	m.sent = newSentLog()
	if o.Server != nil && o.Server.conn == conn {
		m.sent = o.Server.sent // the server's answers leave through the same NAT mapping
	}
	go m.readLoop()
	return m
}

// LocalAddr is the socket's local address.
func (m *Mux) LocalAddr() netip.AddrPort {
	return m.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// WriteToUDPAddrPort sends b to to through the shared socket.
func (m *Mux) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	m.sent.note(to.Addr(), time.Now())
	n, err := m.conn.WriteToUDPAddrPort(b, to)
	if err != nil {
		return n, fmt.Errorf("udp send to %s: %w", to, err)
	}
	return n, nil
}

// Route sends the non-STUN packets for which match is true to fn, before Other
// and before routes added later. The returned function removes the route.
func (m *Mux) Route(match func(b []byte) bool, fn func(b []byte, from netip.AddrPort)) (remove func()) {
	r := &route{match: match, fn: fn}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return func() {}
	}
	m.routes = append(m.routes[:len(m.routes):len(m.routes)], r)
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		for i, x := range m.routes {
			if x == r {
				m.routes = append(m.routes[:i:i], m.routes[i+1:]...)
				return
			}
		}
	}
}

// Close stops the read loop, waits for it, and fails pending transactions
// with ErrClosed. The socket stays open and usable.
func (m *Mux) Close() error {
	var err error
	m.closeOnce.Do(func() {
		m.mu.Lock()
		m.closed = true
		for id, ch := range m.pending {
			close(ch)
			delete(m.pending, id)
		}
		m.routes = nil
		m.mu.Unlock()
		close(m.stop)
		// Wake the blocked read, then let the socket block again.
		err = m.conn.SetReadDeadline(time.Unix(1, 0))
		<-m.done
		if err == nil {
			err = m.conn.SetReadDeadline(time.Time{})
		}
		if err != nil && !errors.Is(err, net.ErrClosed) {
			err = fmt.Errorf("stun mux close: %w", err)
		} else {
			err = nil
		}
	})
	return err
}

func (m *Mux) readLoop() {
	defer close(m.done)
	buf := make([]byte, MaxPacket+1)
	for {
		n, from, err := m.conn.ReadFromUDPAddrPort(buf)
		select {
		case <-m.stop:
			return
		default:
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// A transient error (an ICMP error queued on the socket, say):
			// pause briefly so a persistent one cannot spin.
			m.log.Debug("udp read", "err", err)
			select {
			case <-m.stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		if n > MaxPacket {
			continue // truncated: the buffer has one byte to spare to tell
		}
		m.dispatch(buf[:n], netip.AddrPortFrom(from.Addr().Unmap(), from.Port()))
	}
}

// dispatch hands one packet to whoever it is for.
func (m *Mux) dispatch(b []byte, from netip.AddrPort) {
	if IsSTUN(b) {
		switch stunClass(b) {
		case pion.ClassSuccessResponse, pion.ClassErrorResponse:
			m.deliver(b, from)
		default:
			if m.srv != nil {
				m.srv.HandlePacket(b, from)
			}
		}
		return
	}
	m.mu.Lock()
	routes := m.routes // never changed in place: Route and remove make new arrays
	m.mu.Unlock()
	var fn func([]byte, netip.AddrPort)
	for _, r := range routes {
		if r.match(b) {
			fn = r.fn
			break
		}
	}
	if fn == nil {
		fn = m.other
	}
	if fn != nil {
		fn(b, from)
	}
}

// deliver passes a STUN response to the transaction waiting for its ID.
func (m *Mux) deliver(b []byte, from netip.AddrPort) {
	var id txID
	copy(id[:], b[8:headerSize])
	m.mu.Lock()
	ch, ok := m.pending[id]
	m.mu.Unlock()
	if !ok {
		return
	}
	resp, err := parseResponse(b)
	if err != nil || resp.ID != id {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pending[id] != ch {
		return // finished (and its channel closed) meanwhile
	}
	select {
	case ch <- reply{resp: resp, from: from}:
	default: // the transaction has replies enough to look at
	}
}

// begin registers a transaction and returns the channel its replies come on.
func (m *Mux) begin(id txID) (chan reply, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	if _, dup := m.pending[id]; dup {
		return nil, fmt.Errorf("stun: transaction ID %x already in use", id)
	}
	ch := make(chan reply, 8)
	m.pending[id] = ch
	return ch, nil
}

// end forgets a transaction.
func (m *Mux) end(id txID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pending, id)
}
