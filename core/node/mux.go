package node

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"tincan/core/relay"
)

// Protocol prefixes: the first byte a dialer writes on the node's one TCP
// port says which protocol follows (then TLS in both cases).
const (
	prefixChat    byte = 'C'
	prefixOverlay byte = 'O'
)

// mux splits one TCP listener by the prefix byte: chat connections go to a
// net.Listener for the chat manager, overlay connections to a function.
type mux struct {
	ln      net.Listener
	chat    *subListener
	overlay func(net.Conn) // nil: overlay connections are closed
	relay   func(net.Conn) // nil: relay requests are closed (not serving)
	mapped  func() bool    // whether our router maps a port to us now
	log     *slog.Logger
	wg      sync.WaitGroup
}

func newMux(ln net.Listener, log *slog.Logger) *mux {
	return &mux{ln: ln, log: log, chat: &subListener{addr: ln.Addr(), conns: make(chan net.Conn), done: make(chan struct{})}}
}

// run accepts until ctx is done, then closes everything and waits.
func (m *mux) run(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { m.ln.Close() })
	defer stop()
	defer m.wg.Wait()
	defer m.chat.Close()
	for {
		c, err := m.ln.Accept()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				m.log.Error("accept", "err", err)
				time.Sleep(100 * time.Millisecond)
				continue
			}
			return
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.route(ctx, c)
		}()
	}
}

func (m *mux) route(ctx context.Context, c net.Conn) {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		c.Close()
		return
	}
	c.SetReadDeadline(time.Time{})
	switch {
	case b[0] == prefixChat:
		m.toChat(ctx, c)
	case b[0] == prefixOverlay && m.overlay != nil:
		m.overlay(c)
	case b[0] == prefixPunch:
		pc, err := answerPunch(c, m.mapped != nil && m.mapped() && fromOutside(c.RemoteAddr()))
		if err != nil {
			m.log.Debug("punch handshake", "remote", c.RemoteAddr(), "err", err)
			c.Close()
			return
		}
		m.toChat(ctx, pc)
	case b[0] == relay.Prefix && m.relay != nil:
		m.relay(c)
	default:
		m.log.Debug("unknown protocol prefix", "remote", c.RemoteAddr(), "byte", b[0])
		c.Close()
	}
}

// toChat hands an inbound stream to the chat manager.
func (m *mux) toChat(ctx context.Context, c net.Conn) {
	select {
	case m.chat.conns <- c:
	case <-m.chat.done:
		c.Close()
	case <-ctx.Done():
		c.Close()
	}
}

// subListener is the chat side of the mux.
type subListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *subListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *subListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *subListener) Addr() net.Addr { return l.addr }

// prefixDialer writes a protocol prefix on every connection it opens.
type prefixDialer struct {
	inner interface {
		DialContext(ctx context.Context, network, addr string) (net.Conn, error)
	}
	prefix byte
}

func (d prefixDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.inner.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		c.SetWriteDeadline(dl)
	}
	if _, err := c.Write([]byte{d.prefix}); err != nil {
		c.Close()
		return nil, err
	}
	c.SetWriteDeadline(time.Time{})
	return c, nil
}
