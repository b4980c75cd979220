package relay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Errors Dial wraps when the relay turns a request away.
var (
	ErrRefused    = errors.New("relay refused: relaying is disabled")
	ErrBusy       = errors.New("relay busy")
	ErrTimeout    = errors.New("relay timeout: partner did not arrive")
	ErrTokenInUse = errors.New("relay token already in use")
	ErrProtocol   = errors.New("relay protocol error")
)

// Dialer opens the TCP connection to a relay (a *net.Dialer will do).
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Dial connects to the relay node at addr (writing Prefix itself), presents
// token, and waits until the relay pairs it with the peer presenting the same
// token or ctx ends. It returns the spliced connection, on which every byte
// is the peer's, or an error wrapping ErrRefused, ErrBusy, ErrTimeout,
// ErrTokenInUse, ErrProtocol or ctx's error. A nil d dials with a net.Dialer.
func Dial(ctx context.Context, d Dialer, addr string, token Token) (net.Conn, error) {
	if d == nil {
		d = &net.Dialer{}
	}
	// "Token in use" is a pair being set up at that moment (often our
	// partner taking the place of a connection of ours that just left):
	// it settles within a moment, so ask again a few times.
	for wait := 50 * time.Millisecond; ; wait *= 2 {
		c, err := dialOnce(ctx, d, addr, token)
		if !errors.Is(err, ErrTokenInUse) || wait > 800*time.Millisecond {
			return c, err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, fmt.Errorf("relay %s: %w", addr, ctx.Err())
		}
	}
}

func dialOnce(ctx context.Context, d Dialer, addr string, token Token) (net.Conn, error) {
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial relay %s: %w", addr, err)
	}
	st, err := handshake(ctx, c, token)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("relay %s: %w", addr, err)
	}
	if err := statusErr(st); err != nil {
		c.Close()
		return nil, fmt.Errorf("relay %s: %w", addr, err)
	}
	return c, nil
}

// handshake sends the request on c and reads the relay's answer, giving up
// when ctx ends.
func handshake(ctx context.Context, c net.Conn, token Token) (status, error) {
	unblock := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	req := appendRequest([]byte{Prefix}, token)
	_, err := c.Write(req)
	var resp [responseSize]byte
	if err == nil {
		_, err = io.ReadFull(c, resp[:])
	}
	if !unblock() || (err != nil && ctx.Err() != nil) {
		return 0, ctx.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("handshake: %w", err)
	}
	c.SetDeadline(time.Time{})
	st, err := parseResponse(resp[:])
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	return st, nil
}

// statusErr maps a relay's answer to the error Dial returns.
func statusErr(st status) error {
	switch st {
	case statusOK:
		return nil
	case statusBusy:
		return ErrBusy
	case statusRefused:
		return ErrRefused
	case statusTimeout:
		return ErrTimeout
	case statusTokenInUse:
		return ErrTokenInUse
	}
	return fmt.Errorf("%w: relay answered %v", ErrProtocol, st)
}
