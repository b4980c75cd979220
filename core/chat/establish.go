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
	s.log = m.log.With("contact", c.ID, "remote", remote, "dir", "in")
	m.attach(c.ID, s)
}

// dial reaches the contact at each address the locator knows, in turn,
// presenting our key ti.
func (m *Manager) dial(ctx context.Context, ti tlsIdentity, c store.Contact) (*session, error) {
	addrs, err := m.cfg.Locator.Locate(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("locate contact %d: %w", c.ID, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("locate contact %d: %w", c.ID, errNoAddress)
	}
	var errs []error
	for _, addr := range addrs {
		s, err := m.dialAddr(ctx, ti, c, addr)
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

func (m *Manager) dialAddr(ctx context.Context, ti tlsIdentity, c store.Contact, addr string) (*session, error) {
	hctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	raw, err := m.cfg.Dialer.DialContext(hctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	log := m.log.With("contact", c.ID, "remote", addr, "dir", "out")
	tc := tls.Client(raw, m.clientConfig(ti, c, addr, log))
	s, err := m.establish(hctx, tc, raw, true, raw.RemoteAddr().String())
	if err != nil {
		return nil, fmt.Errorf("session with %s: %w", addr, err)
	}
	s.contactID, s.localFP = c.ID, ti.fp
	copy(s.peerFP[:], c.Fingerprint)
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
