package link

import (
	"net"
	"net/netip"
	"sync/atomic"
	"time"
)

// countConn counts the bytes that cross a connection, TLS records included.
type countConn struct {
	net.Conn
	in, out atomic.Uint64
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(uint64(n))
	return n, err
}

func (c *countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(uint64(n))
	return n, err
}

// setKeepAlive turns on TCP keepalive, which holds NAT mappings open, when
// the connection (or the one it wraps) is a TCP connection.
func setKeepAlive(c net.Conn) {
	for range 4 {
		if k, ok := c.(interface {
			SetKeepAlive(bool) error
			SetKeepAlivePeriod(time.Duration) error
		}); ok {
			_ = k.SetKeepAlive(true)
			_ = k.SetKeepAlivePeriod(keepAlivePeriod)
			return
		}
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return
		}
		c = u.NetConn()
	}
}

// addrPortOf returns a net.Addr as an address and port, IPv4 unmapped.
func addrPortOf(a net.Addr) netip.AddrPort {
	if a == nil {
		return netip.AddrPort{}
	}
	if t, ok := a.(*net.TCPAddr); ok {
		ap := t.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
