package chat

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"tincan/core/identity"
	"tincan/core/store"
	"tincan/core/wire"
)

// Protocol violations during or after the Hello exchange.
var (
	ErrProtocol  = errors.New("chat: protocol violation")
	errNoAddress = errors.New("no known address")
)

// acceptLoop accepts inbound connections until ctx is done, then closes ln.
func (m *Manager) acceptLoop(ctx context.Context, ln net.Listener) {
	defer m.wg.Done()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer func() {
		if stop() {
			ln.Close()
		}
	}()
	sem := make(chan struct{}, maxHandshakes)
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, net.ErrClosed) {
				m.log.Error("listener closed; no more inbound sessions", "err", err)
				return
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			m.log.Warn("accept failed", "err", err, "retry_in", delay)
			select {
			case <-time.After(delay):
				continue
			case <-ctx.Done():
				return
			}
		}
		delay = 0
		select {
		case sem <- struct{}{}:
		default:
			m.log.Warn("too many handshakes in progress; connection refused", "remote", c.RemoteAddr().String())
			c.Close()
			continue
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			defer func() { <-sem }()
			m.serveConn(ctx, c)
		}()
	}
}

// serveConn runs the server side of the handshake and hands the session on.
func (m *Manager) serveConn(ctx context.Context, raw net.Conn) {
	remote := raw.RemoteAddr().String()
	hctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	var (
		c  store.Contact
		fp identity.Fingerprint
	)
	ti := m.current()
	tc := tls.Server(raw, m.serverConfig(hctx, ti, remote, &c, &fp))
	s, err := m.establish(hctx, tc, raw, false, remote)
	if err != nil {
		switch {
		case ctx.Err() != nil:
		case errors.Is(err, ErrProtocol):
			m.log.Warn("inbound session refused: protocol violation", "remote", remote, "err", err)
		default:
			m.log.Info("inbound session failed", "remote", remote, "err", err)
		}
		return
	}
	s.contactID, s.peerFP, s.localFP = c.ID, fp, ti.fp
	s.path = PathDirect
	if p, ok := raw.(interface{ Path() string }); ok {
		s.path = p.Path()
	}
	s.log = m.log.With("contact", c.ID, "remote", remote, "dir", "in", "path", s.path)
	m.attach(c.ID, s)
}

// dial races the routes to the contact (plain addresses from a Locator, or
// a Router's routes), presenting our key ti: the first authenticated
// session wins and the others are closed. Fallback routes (relays) start
// only when every other route failed, or, when Early, after that head start.
func (m *Manager) dial(ctx context.Context, ti tlsIdentity, c store.Contact, directOnly bool) (*session, error) {
	var (
		routes []Route
		err    error
	)
	if r, ok := m.cfg.Locator.(Router); ok {
		routes, err = r.Routes(ctx, c)
	} else {
		routes, err = m.plainRoutes(ctx, c)
	}
	if err != nil {
		return nil, fmt.Errorf("locate contact %d: %w", c.ID, err)
	}
	if len(routes) == 0 {
		return nil, fmt.Errorf("locate contact %d: %w", c.ID, errNoAddress)
	}
	var first, fallback []Route
	for _, r := range routes {
		switch {
		case r.Fallback && directOnly:
		case r.Fallback && r.Early > 0:
			r.Delay = max(r.Delay, r.Early)
			first = append(first, r)
		case r.Fallback:
			fallback = append(fallback, r)
		default:
			first = append(first, r)
		}
	}
	s, errs := m.race(ctx, ti, c, first)
	if s == nil && len(fallback) > 0 && ctx.Err() == nil {
		var more []error
		s, more = m.race(ctx, ti, c, fallback)
		errs = append(errs, more...)
	}
	if s != nil {
		return s, nil
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("contact %d: %w", c.ID, errNoAddress)
	}
	return nil, errors.Join(errs...)
}

// race opens every route (each after its Delay) and returns the first
// session established; the rest are cancelled and closed in the background.
func (m *Manager) race(ctx context.Context, ti tlsIdentity, c store.Contact, routes []Route) (*session, []error) {
	if len(routes) == 0 {
		return nil, nil
	}
	rctx, cancel := context.WithCancel(ctx)
	type result struct {
		s   *session
		err error
	}
	results := make(chan result, len(routes))
	for _, r := range routes {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			if r.Delay > 0 {
				t := time.NewTimer(r.Delay)
				select {
				case <-t.C:
				case <-rctx.Done():
					t.Stop()
					results <- result{err: fmt.Errorf("%s: %w", r.Addr, rctx.Err())}
					return
				}
			}
			s, err := m.openRoute(rctx, ti, c, r)
			results <- result{s, err}
		}()
	}
	var errs []error
	for left := len(routes); left > 0; left-- {
		r := <-results
		if r.s == nil {
			if !errors.Is(r.err, context.Canceled) || ctx.Err() != nil {
				errs = append(errs, r.err)
			}
			continue
		}
		cancel()
		if left > 1 {
			m.wg.Add(1)
			go func() { // close the losers as they come in
				defer m.wg.Done()
				for range left - 1 {
					if l := <-results; l.s != nil {
						l.s.abort()
					}
				}
			}()
		}
		return r.s, nil
	}
	cancel()
	return nil, errs
}

// openRoute opens one route and runs TLS over it in the role the route
// gives, accepting only the contact's key.
func (m *Manager) openRoute(ctx context.Context, ti tlsIdentity, c store.Contact, r Route) (*session, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = handshakeTimeout
	}
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	raw, err := r.Dial(hctx)
	if err != nil {
		m.log.Debug("route failed", "contact", c.ID, "addr", r.Addr, "after", time.Since(start), "err", err)
		return nil, fmt.Errorf("%s: %w", r.Addr, err)
	}
	m.log.Debug("route open", "contact", c.ID, "addr", r.Addr, "path", raw.Path, "after", time.Since(start))
	remote := raw.Conn.RemoteAddr().String()
	log := m.log.With("contact", c.ID, "remote", remote, "path", raw.Path)
	var s *session
	if raw.Client {
		log = log.With("dir", "out")
		tc := tls.Client(raw.Conn, m.clientConfig(ti, c, r.Addr, log))
		s, err = m.establish(hctx, tc, raw.Conn, true, remote)
	} else {
		log = log.With("dir", "in")
		var (
			got store.Contact
			fp  identity.Fingerprint
		)
		tc := tls.Server(raw.Conn, m.serverConfig(hctx, ti, remote, &got, &fp))
		s, err = m.establish(hctx, tc, raw.Conn, false, remote)
		if err == nil && got.ID != c.ID {
			s.abort()
			err = fmt.Errorf("%w: contact %d answered for contact %d", ErrKeyMismatch, got.ID, c.ID)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("session with %s (%s): %w", r.Addr, raw.Path, err)
	}
	s.contactID, s.localFP = c.ID, ti.fp
	copy(s.peerFP[:], c.Fingerprint)
	s.path, s.relay = raw.Path, raw.Relay
	s.dialAddr = r.Addr
	s.log = log
	return s, nil
}

// establish runs the TLS handshake and the Hello exchange under ctx (which
// carries the handshake deadline). On error raw is closed.
func (m *Manager) establish(ctx context.Context, tc *tls.Conn, raw net.Conn, outbound bool, remote string) (*session, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(handshakeTimeout)
	}
	raw.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*session, error) {
		stop()
		raw.Close()
		return nil, err
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		return fail(fmt.Errorf("TLS handshake: %w", err))
	}
	if err := wire.Write(tc, wire.Hello{Version: wire.Version, Name: m.name}); err != nil {
		return fail(fmt.Errorf("send hello: %w", err))
	}
	br := bufio.NewReaderSize(tc, 32<<10)
	t, b, err := wire.ReadFrame(br)
	if err != nil {
		return fail(fmt.Errorf("read hello: %w", asProtocol(err)))
	}
	if t != wire.TypeHello {
		return fail(fmt.Errorf("%w: %s frame before hello", ErrProtocol, t))
	}
	var h wire.Hello
	if err := h.Unmarshal(b); err != nil {
		return fail(fmt.Errorf("%w: %w", ErrProtocol, err))
	}
	if h.Version != wire.Version {
		return fail(fmt.Errorf("%w: peer speaks version %d, we speak %d", ErrProtocol, h.Version, wire.Version))
	}
	if !stop() {
		raw.Close()
		return nil, fmt.Errorf("establish: %w", context.Cause(ctx))
	}
	raw.SetDeadline(time.Time{})
	return newSession(m, tc, raw, br, outbound, remote, h.Name), nil
}

// helloName is the identity's name as valid UTF-8 cut to what a Hello carries.
func helloName(name string) string {
	name = strings.ToValidUTF8(name, "?")
	for len(name) > wire.MaxName {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}
