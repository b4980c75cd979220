package portmap

import (
	"errors"
	"log/slog"
	"net/netip"
	"time"
)

// Methods of asking a router for a mapping.
const (
	MethodPCP    = "pcp"     // Port Control Protocol, RFC 6887
	MethodNATPMP = "nat-pmp" // NAT Port Mapping Protocol, RFC 6886
	MethodUPnP   = "upnp"    // UPnP Internet Gateway Device
)

// Protocols a Keeper maps.
const (
	TCP = "tcp"
	UDP = "udp"
)

// Defaults of Options.
const (
	DefaultLifetime = time.Hour
	DefaultTimeout  = 3 * time.Second
	DefaultRetry    = 5 * time.Minute
)

// Mapping is one port forwarded on the router.
type Mapping struct {
	Protocol string         // TCP or UDP
	Internal netip.AddrPort // this host's LAN address and port
	External netip.AddrPort // the router's public address and the forwarded port
	Method   string         // MethodPCP, MethodNATPMP or MethodUPnP
	Expires  time.Time      // when the router drops it unless renewed
}

// Options tune a Keeper; the zero value is ready to use.
type Options struct {
	// Gateway is the router to ask. Default: the default route's gateway
	// (Linux), and for UPnP the gateway that answers the SSDP search.
	Gateway netip.Addr
	// Methods are tried in this order; default PCP, NAT-PMP, then UPnP
	// (a NAT-PMP-only router answers PCP at once with version 0, so PCP
	// first costs it one round trip, and PCP-only routers exist).
	Methods []string
	// Lifetime is the lease asked for (default 1h); it is renewed at half.
	Lifetime time.Duration
	// Timeout bounds each exchange with the router (default 3s).
	Timeout time.Duration
	// Retry is the longest wait between attempts while no router maps
	// (default 5m); the wait starts shorter and doubles up to it.
	Retry time.Duration
	// Logger gets Info when a mapping is made or lost, Debug otherwise.
	Logger *slog.Logger
}

// ErrBadOptions means a Keeper was made with options it cannot use.
var ErrBadOptions = errors.New("portmap: bad options")

func (o Options) withDefaults() Options {
	if o.Methods == nil {
		o.Methods = []string{MethodPCP, MethodNATPMP, MethodUPnP}
	}
	if o.Lifetime <= 0 {
		o.Lifetime = DefaultLifetime
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retry <= 0 {
		o.Retry = DefaultRetry
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
