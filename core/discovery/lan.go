package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync/atomic"
	"time"
)

// DefaultLANGroup is the IPv4 site-local multicast group and port LAN beacons use.
var DefaultLANGroup = netip.MustParseAddrPort("239.255.74.48:7449")

// DefaultLANInterval is the mean time between LAN beacons.
const DefaultLANInterval = 30 * time.Second

// minLANInterval keeps a misconfigured beacon from flooding the segment.
const minLANInterval = 10 * time.Millisecond

// lanJitter is the spread of the beacon interval, as a fraction of it.
const lanJitter = 0.2

// Found is reported at most once per GUID per foundWindow, and for at most
// foundLimit GUIDs per foundWindow in all.
const (
	foundWindow = 10 * time.Second
	foundLimit  = 64
)

// LANConfig configures a LANBeacon.
type LANConfig struct {
	GUID       [20]byte                                 // this node's overlay GUID; our own beacons are ignored; required
	Port       uint16                                   // this node's overlay/chat TCP listen port, announced; required
	Group      netip.AddrPort                           // IPv4 multicast group and UDP port; zero means DefaultLANGroup
	Interval   time.Duration                            // mean time between beacons, ±20%; 0 means DefaultLANInterval
	Found      func(guid [20]byte, addr netip.AddrPort) // another node's beacon: source IP + announced port; must not block; required
	Logger     *slog.Logger                             // nil means slog.Default()
	Interfaces func() ([]net.Interface, error)          // the interfaces to use; nil means net.Interfaces
}

// LANBeacon announces this node on the local network segment and reports the
// other nodes it hears, so two machines on one LAN find each other with no
// configuration.
//
// A beacon carries only the node's GUID and port, never anything about the
// user. Beacons go to the multicast group on every up, multicast-capable,
// non-loopback interface with IPv4 and to the broadcast address of each of
// its subnets; one UDP socket bound to the group's port (shared with other
// nodes on the host) hears both. Nothing a beacon says is trusted beyond
// being worth a dial: the magic prefix authenticates nothing.
type LANBeacon struct {
	cfg     LANConfig
	log     *slog.Logger
	msg     []byte
	limit   *foundLimiter
	running atomic.Bool
	onLink  atomic.Pointer[[]netip.Prefix] // the subnets of the interfaces beacons use now
}

// NewLANBeacon checks cfg, fills in defaults and returns a LANBeacon.
func NewLANBeacon(cfg LANConfig) (*LANBeacon, error) {
	if cfg.GUID == ([20]byte{}) {
		return nil, errors.New("LAN beacon: zero GUID")
	}
	if cfg.Port == 0 {
		return nil, errors.New("LAN beacon: no listen port")
	}
	if cfg.Found == nil {
		return nil, errors.New("LAN beacon: no Found callback")
	}
	if !cfg.Group.IsValid() {
		cfg.Group = DefaultLANGroup
	}
	if g := cfg.Group.Addr(); !g.Is4() || !g.IsMulticast() || cfg.Group.Port() == 0 {
		return nil, fmt.Errorf("LAN beacon: group %s is not an IPv4 multicast address and port", cfg.Group)
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultLANInterval
	}
	if cfg.Interval < minLANInterval {
		return nil, fmt.Errorf("LAN beacon: interval %v below %v", cfg.Interval, minLANInterval)
	}
	if cfg.Interfaces == nil {
		cfg.Interfaces = net.Interfaces
	}
	b := &LANBeacon{cfg: cfg, log: cfg.Logger, msg: encodeLANBeacon(cfg.GUID, cfg.Port),
		limit: newFoundLimiter(foundWindow, foundLimit)}
	if b.log == nil {
		b.log = slog.Default()
	}
	return b, nil
}

// Run beacons once at start and then every Interval with jitter, and reports
// other nodes' beacons, until ctx is done. Failures (no interface, no
// multicast, port unavailable) are logged once and retried every interval.
// It returns nil when ctx is done, with all its goroutines stopped, or an
// error if the beacon is already running.
func (b *LANBeacon) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("LAN beacon: already running")
	}
	defer b.running.Store(false)
	r := newLANRun(b)
	defer r.close()
	for {
		r.step(ctx)
		t := time.NewTimer(b.nextDelay())
	wait:
		for {
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case err := <-r.readErr:
				r.dropConn(err)
			case <-t.C:
				break wait
			}
		}
	}
}

// nextDelay is uniform in [Interval-20%, Interval+20%].
func (b *LANBeacon) nextDelay() time.Duration {
	return b.cfg.Interval + time.Duration((2*rand.Float64()-1)*lanJitter*float64(b.cfg.Interval))
}

// receive handles one datagram from src: a valid beacon from another node,
// not rate-limited, is reported as src's IP with the announced port.
func (b *LANBeacon) receive(pkt []byte, src netip.AddrPort, now time.Time) {
	guid, port, err := decodeLANBeacon(pkt)
	if err != nil || guid == b.cfg.GUID {
		return
	}
	ip := src.Addr().Unmap()
	if !ip.Is4() || ip.IsUnspecified() || ip.IsMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return
	}
	// Only from a neighbour: the socket also takes unicast from anywhere,
	// and a beacon with a forged source would make the node dial whoever
	// the forger names.
	if !b.fromOnLink(ip) {
		return
	}
	if !b.limit.allow(guid, now) {
		return
	}
	b.cfg.Found(guid, netip.AddrPortFrom(ip, port))
}

// setOnLink records the subnets of the interfaces beacons use now.
func (b *LANBeacon) setOnLink(ifaces []lanIface) {
	var subnets []netip.Prefix
	for _, li := range ifaces {
		subnets = append(subnets, li.subnets...)
	}
	b.onLink.Store(&subnets)
}

// fromOnLink reports whether ip is in a subnet of an interface beacons use
// (none before the first look at the interfaces).
func (b *LANBeacon) fromOnLink(ip netip.Addr) bool {
	p := b.onLink.Load()
	if p == nil {
		return false
	}
	for _, s := range *p {
		if s.Contains(ip) {
			return true
		}
	}
	return false
}
