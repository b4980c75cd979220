package discovery

import (
	"context"
	"errors"
	"net/netip"
)

// Prober checks whether an entry point answers as a tincan node.
type Prober interface {
	// Probe returns nil if a tincan node answers at addr, completing the
	// node-to-node handshake; with a non-empty key (the hex GUID its
	// record names), only that node counts. A bare TCP listener, another
	// protocol, or a node with another key is an error: the entry is down.
	Probe(ctx context.Context, addr netip.AddrPort, key string) error
}

// ProberFunc adapts a function to the Prober interface.
type ProberFunc func(ctx context.Context, addr netip.AddrPort, key string) error

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, addr netip.AddrPort, key string) error {
	return f(ctx, addr, key)
}

// ErrWrongKey means a tincan node answered at an entry's address, but not
// the one its record names (a squatter on a dead entry's address).
var ErrWrongKey = errors.New("another node answers at this entry's address")
