package stun

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Errors a caller can act on.
var (
	ErrNoAnswer    = errors.New("stun: no answer")
	ErrRefused     = errors.New("stun: server answered with an error")
	ErrClosed      = errors.New("stun: mux closed")
	ErrRateLimited = errors.New("stun: rate limited")
)

// Retransmission (RFC 5389 section 7.2.1): after the first send wait rto,
// after each next one twice the wait before; give up at the end of the
// wait after the last send.
const (
	bindingRTO   = 500 * time.Millisecond
	bindingTries = 4 // gives up after 7.5 s
)

// Binding asks server, through the socket m reads, which address it sees
// this socket's packets come from. It retransmits on RFC 5389's schedule
// and takes only a response from server with its transaction ID.
func (m *Mux) Binding(ctx context.Context, server netip.AddrPort) (netip.AddrPort, error) {
	return m.binding(ctx, server, bindingRTO, bindingTries)
}

// quickBinding is Binding on the shorter schedule of Classify's probes, so
// that a dead server costs 2.1 s, not 7.5.
func (m *Mux) quickBinding(ctx context.Context, server netip.AddrPort) (netip.AddrPort, error) {
	return m.binding(ctx, server, probeRTO, probeTries)
}

func (m *Mux) binding(ctx context.Context, server netip.AddrPort, rto time.Duration, tries int) (netip.AddrPort, error) {
	r, err := m.bindingResponse(ctx, server, rto, tries)
	return r.Mapped, err
}

// bindingResponse is binding's whole success response (with the server's
// OTHER-ADDRESS, if it sent one).
func (m *Mux) bindingResponse(ctx context.Context, server netip.AddrPort, rto time.Duration, tries int) (response, error) {
	r, err := m.transact(ctx, server, false, false, rto, tries, func(r reply) bool {
		return r.from == server
	})
	if err != nil {
		return response{}, fmt.Errorf("STUN binding with %s: %w", server, err)
	}
	if !r.resp.OK {
		return response{}, fmt.Errorf("STUN binding with %s: %w (code %d)", server, ErrRefused, r.resp.Code)
	}
	return r.resp, nil
}

// Binding is Mux.Binding on a socket that nobody else reads meanwhile: it
// reads conn itself until the answer comes, and leaves conn open.
func Binding(ctx context.Context, conn *net.UDPConn, server netip.AddrPort) (netip.AddrPort, error) {
	m := NewMux(conn, MuxOptions{})
	mapped, err := m.Binding(ctx, server)
	return mapped, errors.Join(err, m.Close())
}

// transact sends a Binding request (with CHANGE-REQUEST flags if asked) to
// dst, retransmitting after rto, 2*rto, ... up to tries sends, until a
// response arrives with its transaction ID that accept takes.
func (m *Mux) transact(ctx context.Context, dst netip.AddrPort, changeIP, changePort bool,
	rto time.Duration, tries int, accept func(reply) bool) (reply, error) {
	return m.exchange(ctx, rto, tries, accept, func(id txID) error {
		m.sent.note(dst.Addr(), time.Now())
		if _, err := m.conn.WriteToUDPAddrPort(buildRequest(id, changeIP, changePort), dst); err != nil {
			return fmt.Errorf("send to %s: %w", dst, err)
		}
		return nil
	})
}

// exchange runs one transaction: a fresh ID, send(id) now and again after
// rto, 2*rto, ... up to tries times, until a response with that ID arrives
// that accept takes (else ErrNoAnswer).
func (m *Mux) exchange(ctx context.Context, rto time.Duration, tries int, accept func(reply) bool, send func(id txID) error) (reply, error) {
	var id txID
	_, _ = rand.Read(id[:])
	ch, err := m.begin(id)
	if err != nil {
		return reply{}, err
	}
	defer m.end(id)
	t := time.NewTimer(0)
	defer t.Stop()
	wait := rto
	for sent := 0; ; {
		select {
		case <-ctx.Done():
			return reply{}, ctx.Err()
		case r, ok := <-ch:
			if !ok {
				return reply{}, ErrClosed
			}
			if accept(r) {
				return r, nil
			}
		case <-t.C:
			if sent == tries {
				return reply{}, ErrNoAnswer
			}
			if err := send(id); err != nil {
				return reply{}, err
			}
			sent++
			t.Reset(wait)
			wait *= 2
		}
	}
}
