//go:build linux

package natlab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
)

// ErrNotRoot means the lab was asked for without the root rights it needs.
var ErrNotRoot = errors.New("natlab needs root (network namespaces, nftables)")

// StunPort is the port of the lab's STUN servers.
const StunPort = 3478

// Options say what lab to build.
type Options struct {
	Kinds        []Kind       // kinds of site to build; nil means All
	SitesPerKind int          // sites of each kind; default 2, so a kind can meet itself
	ForwardPort  uint16       // the port PortForward routers forward; default 7448
	Dir          string       // run files (configs, logs); default a temp dir that Close removes
	Logger       *slog.Logger // default discards
}

// Site is one lab client host and the router (if any) in front of it.
type Site struct {
	Name    string     // kind code and letter, e.g. "pr-a"
	Kind    Kind       // the NAT in front of the host
	Host    string     // namespace of the client host
	Router  string     // namespace of the NAT router; "" for Public
	HostIP  netip.Addr // the host's own address
	WANIP   netip.Addr // the address the public side sees: the router's, or the host's own
	Gateway netip.Addr // the router's LAN address (UPnP is asked here); invalid for Public
	Forward uint16     // the port forwarded to the host (PortForward only)
	upnpLog string     // miniupnpd's log (UPnP only)
}

// Lab is a running NAT lab. Close removes everything it made.
type Lab struct {
	Prefix string            // namespace name prefix of this run: "tl" and 4 hex digits
	WAN    string            // namespace of the public segment (bridge, STUN servers)
	Entry  *Site             // a public host for an entry node
	Sites  []*Site           // every client site, in kind order, letters a, b, …
	STUN   [2]netip.AddrPort // two STUN servers (UDP and TCP) at distinct WAN addresses
	Third  netip.Addr        // a WAN address that no probe talks to first
	Dir    string            // run files

	log         *slog.Logger
	lock        *os.File
	ownDir      bool
	mu          sync.Mutex
	namespaces  []string
	procs       []*Proc
	publicHosts int // hosts AddPublicHost made
	services    []io.Closer
	sigc        chan os.Signal
	sigDone     chan struct{}
	closeOnce   sync.Once
	closeErr    error
}

// Address plan. Public addresses are in 198.18.0.0/15 (RFC 2544's
// benchmarking range, never routed on the internet), each site in a /24 of
// its own as homes on the internet are: the overlay's routing table admits
// few nodes per /24, so one shared /24 would starve it. LANs are 10.0.N.0/24.
var (
	wanGateway = netip.MustParseAddr("198.18.0.1") // the WAN namespace itself, first STUN server
	wanSecond  = netip.MustParseAddr("198.18.0.2") // second STUN server
	wanThird   = netip.MustParseAddr("198.18.0.3") // a stranger
	wanEntry   = netip.MustParseAddr("198.18.1.5")
)

const (
	wanBits  = 15
	lanBits  = 24
	siteBase = 10 // first site's WAN address is 198.18.10.10, the next 198.18.11.10
)

// New builds a lab: it first removes namespaces left by crashed runs, then
// makes the WAN, the entry host and every site, and starts the STUN servers
// (and miniupnpd for UPnP sites). On any error it removes what it made. A
// signal (SIGINT, SIGTERM, SIGHUP) closes the lab and exits the process.
func New(ctx context.Context, o Options) (l *Lab, err error) {
	if os.Geteuid() != 0 {
		return nil, ErrNotRoot
	}
	if o.Kinds == nil {
		o.Kinds = All
	}
	if o.SitesPerKind <= 0 {
		o.SitesPerKind = 2
	}
	if o.SitesPerKind > 26 || len(o.Kinds)*o.SitesPerKind > 200 {
		return nil, fmt.Errorf("natlab: %d sites of %d kinds is too many", o.SitesPerKind, len(o.Kinds))
	}
	if o.ForwardPort == 0 {
		o.ForwardPort = 7448
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if err := checkTools(o.Kinds); err != nil {
		return nil, err
	}
	if err := CleanStale(ctx, o.Logger); err != nil {
		return nil, err
	}
	prefix, lock, err := claimPrefix()
	if err != nil {
		return nil, err
	}
	l = &Lab{Prefix: prefix, lock: lock, log: o.Logger.With("lab", prefix), Dir: o.Dir,
		STUN:  [2]netip.AddrPort{netip.AddrPortFrom(wanGateway, StunPort), netip.AddrPortFrom(wanSecond, StunPort)},
		Third: wanThird}
	l.watchSignals()
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()
	if l.Dir == "" {
		if l.Dir, err = os.MkdirTemp("", "natlab-"+prefix+"-"); err != nil {
			return l, fmt.Errorf("natlab run dir: %w", err)
		}
		l.ownDir = true
	} else if err = os.MkdirAll(l.Dir, 0o700); err != nil {
		return l, fmt.Errorf("natlab run dir: %w", err)
	}
	if err = l.build(ctx, o); err != nil {
		return l, err
	}
	return l, nil
}

func checkTools(kinds []Kind) error {
	need := []string{"ip"}
	for _, k := range kinds {
		if k.NATed() {
			need = append(need, "nft")
		}
		if k == UPnP {
			need = append(need, "miniupnpd")
		}
	}
	for _, t := range need {
		if _, err := exec.LookPath(t); err != nil {
			return fmt.Errorf("natlab needs %s on PATH (scripts/natlab.sh installs it): %w", t, err)
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Site returns the site with this name, or nil.
func (l *Lab) Site(name string) *Site {
	for _, s := range l.Sites {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// SitesOf returns the sites of one kind, in letter order.
func (l *Lab) SitesOf(k Kind) []*Site {
	var out []*Site
	for _, s := range l.Sites {
		if s.Kind == k {
			out = append(out, s)
		}
	}
	return out
}

// Namespaces lists every namespace this lab made.
func (l *Lab) Namespaces() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.namespaces...)
}

func (l *Lab) watchSignals() {
	l.sigc = make(chan os.Signal, 1)
	l.sigDone = make(chan struct{})
	signal.Notify(l.sigc, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case sig := <-l.sigc:
			fmt.Fprintf(os.Stderr, "natlab: %v: removing lab %s\n", sig, l.Prefix)
			l.Close()
			code := 1
			if s, ok := sig.(syscall.Signal); ok {
				code = 128 + int(s)
			}
			os.Exit(code)
		case <-l.sigDone:
		}
	}()
}

// Close stops every process and server the lab started, deletes every
// namespace it made and its run files. It is safe to call more than once.
func (l *Lab) Close() error {
	l.closeOnce.Do(func() {
		signal.Stop(l.sigc)
		close(l.sigDone)
		l.mu.Lock()
		procs, services, namespaces := l.procs, l.services, l.namespaces
		l.mu.Unlock()
		var errs []error
		for i := len(procs) - 1; i >= 0; i-- {
			procs[i].Stop()
		}
		for _, s := range services {
			errs = append(errs, s.Close())
		}
		ctx := context.Background()
		for i := len(namespaces) - 1; i >= 0; i-- {
			errs = append(errs, deleteNamespace(ctx, namespaces[i]))
		}
		if l.ownDir && l.Dir != "" {
			errs = append(errs, os.RemoveAll(l.Dir))
		}
		errs = append(errs, releasePrefix(l.Prefix, l.lock))
		l.closeErr = errors.Join(errs...)
		if l.closeErr != nil {
			l.log.Warn("closing lab", "err", l.closeErr)
		}
	})
	return l.closeErr
}
