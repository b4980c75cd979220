package discovery

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Prober checks whether an entry point answers.
type Prober interface {
	// Probe returns nil if the entry point at addr accepted a connection.
	Probe(ctx context.Context, addr netip.AddrPort) error
}

// ProberFunc adapts a function to the Prober interface.
type ProberFunc func(ctx context.Context, addr netip.AddrPort) error

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, addr netip.AddrPort) error { return f(ctx, addr) }

// TCPProber probes an entry point by opening and closing a TCP connection.
type TCPProber struct {
	Timeout time.Duration // per probe; 0 means 5 seconds
}

// Probe dials addr over TCP.
func (p TCPProber) Probe(ctx context.Context, addr netip.AddrPort) error {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return fmt.Errorf("probe %s: %w", addr, err)
	}
	_ = c.Close()
	return nil
}
