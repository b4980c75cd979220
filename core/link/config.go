package link

import (
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"net"
	"time"
	"tincan/core/observed"
)

// Prefix is the byte a dialer writes before its TLS ClientHello, so that a
// listener shared with the chat protocol can tell overlay links apart.
const Prefix byte = 'O'

// Defaults and timings.
const (
	DefaultMaxLinks = 256  // links kept before new inbound ones are refused
	DefaultQueueLen = 1024 // messages waiting per link or per dial

	dialTimeout      = 10 * time.Second // TCP connect
	handshakeTimeout = 10 * time.Second // prefix, TLS handshake and hellos
	keepAlivePeriod  = 25 * time.Second // TCP keepalive: holds NAT mappings
	idleTimeout      = 3 * time.Minute  // no frame for this long closes a link
	writeTimeout     = 30 * time.Second // one batch of frames
	drainTimeout     = 10 * time.Second // a retiring link waits this long for the peer's close
	dupWindow        = 30 * time.Second // links this close in age are a simultaneous dial
	evictIdle        = 30 * time.Second // at MaxLinks, a link idle this long makes room
)

// Dialer opens TCP connections; *net.Dialer implements it.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Config configures a Net. Zero optional fields take their defaults.
type Config struct {
	Key        ed25519.PrivateKey // this node's key; its GUID is overlay.GUIDOf(pub)
	ListenPort uint16             // advertised to peers in the link hello (0: not accepting)
	Dialer     Dialer             // nil: &net.Dialer{Timeout: 10s, KeepAlive: 25s}
	Logger     *slog.Logger       // nil: slog.Default()
	MaxLinks   int                // default DefaultMaxLinks; beyond it new inbound links are refused and idle ones closed
	QueueLen   int                // per-link and per-dial send queue, default DefaultQueueLen; overflow is undeliverable
	// ServesRelay is the initial "serves relays" flag announced in link
	// hellos; SetServesRelay changes it later.
	ServesRelay bool
	// Observations is where what peers say our address is goes; nil means
	// a book of the Net's own. Share one with the overlay.
	Observations *observed.Book
}

// Errors callers may check.
var (
	ErrBadKey   = errors.New("link: Key is not an Ed25519 private key")
	ErrRunTwice = errors.New("link: Run called more than once")
	ErrBadHello = errors.New("link: malformed link hello")
	ErrPeerKey  = errors.New("link: peer key refused")
	ErrPinned   = errors.New("link: peer key does not match the pinned GUID")
)

// timings are the durations a Net works with; tests shorten some.
type timings struct {
	dial, handshake, idle, write, drain, dupWindow, evictIdle time.Duration
}

func defaultTimings() timings {
	return timings{dial: dialTimeout, handshake: handshakeTimeout, idle: idleTimeout,
		write: writeTimeout, drain: drainTimeout, dupWindow: dupWindow, evictIdle: evictIdle}
}

func (c Config) withDefaults() Config {
	if c.Dialer == nil {
		c.Dialer = &net.Dialer{Timeout: dialTimeout, KeepAlive: keepAlivePeriod}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxLinks <= 0 {
		c.MaxLinks = DefaultMaxLinks
	}
	if c.QueueLen <= 0 {
		c.QueueLen = DefaultQueueLen
	}
	return c
}
