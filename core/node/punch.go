package node

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"syscall"
	"time"

	reuseport "github.com/libp2p/go-reuseport"

	"tincan/core/chat"
)

// The punch handshake runs on the node's port before TLS. The dialer
// writes prefixPunch and an 8-byte nonce. A listener that accepted the
// connection answers replyAccepted (or replyMapped when it sits behind a
// port its router maps for it) and 8 zero bytes, and takes the TLS server
// side. When both sides dialed at once (TCP simultaneous open through two
// NATs), each reads the other's prefixPunch and nonce instead: the larger
// nonce runs the TLS client.
const (
	prefixPunch   byte = 'P'
	replyAccepted byte = 'A'
	replyMapped   byte = 'M'
	punchNonceLen      = 8
	punchMsgLen        = 1 + punchNonceLen
)

// errSameNonce is a simultaneous open whose nonces tie (2^-64): try again.
var errSameNonce = errors.New("punch: both sides drew the same nonce")

// punchAttempts are the connect timeouts of successive SYNs from the
// listen port: short at first, so the first SYN that the peer's NAT
// dropped (its own SYN not out yet) is followed quickly by another.
var punchAttempts = []time.Duration{300 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond, 1200 * time.Millisecond, 2400 * time.Millisecond}

// listenReusable listens on addr with SO_REUSEADDR/SO_REUSEPORT, so that
// dials can leave from the same port. A plain listen first keeps the
// "address already in use" error for a port another program holds.
func listenReusable(addr string) (net.Listener, error) {
	probe, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	bound := probe.Addr().String()
	if _, port, _ := net.SplitHostPort(addr); port == "0" {
		addr = bound // keep the port the kernel picked
	}
	probe.Close()
	lc := net.ListenConfig{Control: reuseport.Control}
	return lc.Listen(context.Background(), "tcp", addr)
}

// punchDialer opens chat streams from the node's listen port.
type punchDialer struct {
	local *net.TCPAddr // the listen address; nil: dial from any port
	plain chat.Dialer  // fallback when the 4-tuple is taken
}

// dial connects to addr from the listen port, retrying the SYN on a short
// schedule until ctx ends, and runs the punch handshake.
func (d punchDialer) dial(ctx context.Context, addr string) (chat.Raw, error) {
	conn, err := d.connect(ctx, addr)
	if err != nil {
		return chat.Raw{}, err
	}
	raw, err := punchHandshake(ctx, conn, true)
	if err != nil {
		conn.Close()
		return chat.Raw{}, fmt.Errorf("punch handshake with %s: %w", addr, err)
	}
	return raw, nil
}

func (d punchDialer) connect(ctx context.Context, addr string) (net.Conn, error) {
	if d.local == nil {
		return d.plain.DialContext(ctx, "tcp", addr)
	}
	var last error
	for i := 0; ctx.Err() == nil; i++ {
		wait := punchAttempts[min(i, len(punchAttempts)-1)]
		actx, cancel := context.WithTimeout(ctx, wait)
		nd := net.Dialer{LocalAddr: d.local, Control: reuseport.Control, KeepAlive: 25 * time.Second}
		start := time.Now()
		conn, err := nd.DialContext(actx, "tcp", addr)
		cancel()
		if err == nil {
			return conn, nil
		}
		last = err
		if errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EADDRINUSE) || bindRefused(err) {
			// The 4-tuple is in use: our listener accepted the peer's
			// SYN already, or an old connection lingers in TIME_WAIT.
			return d.plain.DialContext(ctx, "tcp", addr)
		}
		if rest := wait - time.Since(start); rest > 0 { // refused at once: wait out the slot
			select {
			case <-time.After(rest):
			case <-ctx.Done():
			}
		}
	}
	if last == nil {
		last = ctx.Err()
	}
	return nil, fmt.Errorf("dial %s: %w", addr, last)
}

// punchHandshake writes our prefix and nonce and reads the answer. dialed
// is false on a relayed stream, where both sides are alike.
func punchHandshake(ctx context.Context, conn net.Conn, dialed bool) (chat.Raw, error) {
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	defer conn.SetDeadline(time.Time{})
	var mine [punchMsgLen]byte
	mine[0] = prefixPunch
	if _, err := rand.Read(mine[1:]); err != nil {
		return chat.Raw{}, err
	}
	if _, err := conn.Write(mine[:]); err != nil {
		return chat.Raw{}, fmt.Errorf("send: %w", err)
	}
	var theirs [punchMsgLen]byte
	if _, err := io.ReadFull(conn, theirs[:]); err != nil {
		return chat.Raw{}, fmt.Errorf("read: %w", err)
	}
	client, path, err := parsePunchAnswer(mine, theirs, dialed)
	if err != nil {
		return chat.Raw{}, err
	}
	return chat.Raw{Conn: conn, Client: client, Path: path}, nil
}

// parsePunchAnswer reads the other side's 9 bytes: whether we run the TLS
// client, and the path the stream takes.
func parsePunchAnswer(mine, theirs [punchMsgLen]byte, dialed bool) (client bool, path string, err error) {
	switch theirs[0] {
	case replyAccepted, replyMapped:
		if !dialed {
			return false, "", fmt.Errorf("%w: listener reply on a relayed stream", chat.ErrProtocol)
		}
		if theirs[0] == replyMapped {
			return true, chat.PathMapped, nil
		}
		return true, chat.PathDirect, nil
	case prefixPunch:
		cmp := bytes.Compare(mine[1:], theirs[1:])
		if cmp == 0 {
			return false, "", errSameNonce
		}
		if !dialed {
			return cmp > 0, chat.PathRelay, nil
		}
		return cmp > 0, chat.PathPunched, nil
	}
	return false, "", fmt.Errorf("%w: punch answer starts with %#x", chat.ErrProtocol, theirs[0])
}

// answerPunch is the listener side: the mux read prefixPunch; read the
// nonce, answer, and hand the stream to chat as an inbound session.
func answerPunch(c net.Conn, mapped bool) (net.Conn, error) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	var nonce [punchNonceLen]byte
	if _, err := io.ReadFull(c, nonce[:]); err != nil {
		return nil, fmt.Errorf("read punch nonce: %w", err)
	}
	var reply [punchMsgLen]byte
	reply[0] = replyAccepted
	path := chat.PathDirect
	if mapped {
		reply[0], path = replyMapped, chat.PathMapped
	}
	if _, err := c.Write(reply[:]); err != nil {
		return nil, fmt.Errorf("answer punch: %w", err)
	}
	return pathConn{c, path}, nil
}

// pathConn tells chat which path an inbound stream came by.
type pathConn struct {
	net.Conn
	path string
}

// Path is the path chat reports for the session.
func (c pathConn) Path() string { return c.path }

// fromOutside reports whether a remote address is outside our own networks
// (not loopback, link-local or private): used to say "mapped" only for
// connections that came through the router's mapping.
func fromOutside(remote net.Addr) bool {
	ap, err := netip.ParseAddrPort(remote.String())
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	return !(a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast())
}
