package chat

import (
	"context"
	"errors"
	"net"
	"time"

	"tincan/core/store"
)

// Paths a session can take; PresenceChanged.Path is one of them.
const (
	PathNone      = "none"        // offline
	PathDirect    = "direct"      // a connection to the contact's listener
	PathPunched   = "punched-tcp" // a TCP simultaneous open through both NATs
	PathPunchedUD = "punched-udp" // a UDP hole (calls)
	PathMapped    = "mapped"      // through a port the contact's router maps by UPnP/NAT-PMP
	PathRelay     = "relay"       // spliced by a third node; TLS stays end to end
)

// ErrNoRoute means a route was not tried (no consent, nothing to dial).
var ErrNoRoute = errors.New("route not available")

// Raw is an opened byte stream to a contact, before TLS.
type Raw struct {
	Conn   net.Conn
	Client bool   // we run the TLS client side (and count as the dialer)
	Path   string // one of the Path constants
	Relay  string // the relay's address when Path is PathRelay
}

// Route is one way to open a stream to a contact.
type Route struct {
	Addr     string        // what it dials, for logs
	Delay    time.Duration // start this long after the first route (happy eyeballs)
	Fallback bool          // start only once every other route has failed (but see Early)
	// Early, for a Fallback route, starts it this long after the first
	// route even while others still run (a relay the user already agreed
	// to: the first message need not wait out a direct dial that may never
	// open). 0 keeps it for when every other route failed.
	Early   time.Duration
	Timeout time.Duration // for opening the stream and TLS; 0: the handshake timeout
	Dial    func(ctx context.Context) (Raw, error)
}

// Router is a Locator that also says how to open each stream. When the
// configured Locator implements it, the manager races its routes instead
// of dialing plain addresses.
type Router interface {
	Routes(ctx context.Context, c store.Contact) ([]Route, error)
}

// plainRoutes turns a Locator's addresses into routes over the Dialer.
func (m *Manager) plainRoutes(ctx context.Context, c store.Contact) ([]Route, error) {
	addrs, err := m.cfg.Locator.Locate(ctx, c)
	if err != nil {
		return nil, err
	}
	addrs = RememberedFirst(c, addrs)
	routes := make([]Route, 0, len(addrs))
	for i, addr := range addrs {
		routes = append(routes, Route{Addr: addr, Delay: time.Duration(i) * routeStagger, Dial: func(ctx context.Context) (Raw, error) {
			conn, err := m.cfg.Dialer.DialContext(ctx, "tcp", addr)
			if err != nil {
				return Raw{}, err
			}
			return Raw{Conn: conn, Client: true, Path: PathDirect}, nil
		}})
	}
	return routes, nil
}

// routeStagger is how long one route gets before the next starts beside it.
const routeStagger = 250 * time.Millisecond
