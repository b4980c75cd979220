package portmap

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// firstRetry is the first wait after no router mapped; it doubles up to
// Options.Retry.
const firstRetry = 30 * time.Second

// Keeper keeps one port (TCP and UDP) forwarded on the router while Run runs.
type Keeper struct {
	port    uint16
	opts    Options
	log     *slog.Logger
	changes chan struct{}

	mu  sync.Mutex
	cur []Mapping

	// Owned by Run's goroutine.
	client    client
	ports     map[string]uint16   // external port per protocol, kept across renewals
	pcpNonces map[string]pcpNonce // PCP's per protocol, kept across renewals and clients
	renewIn   time.Duration
	quiet     bool // "no router maps" has been logged
}

// client is one way of asking the router for mappings.
type client interface {
	method() string
	local() netip.Addr
	// begin starts a round of requests: it learns local() and, for the
	// methods that ask for it apart, the router's public address, which
	// must be a public one.
	begin(ctx context.Context) error
	// add maps proto's internal port, preferring external port want, and
	// returns the public address and port and the lifetime granted
	// (0: permanent).
	add(ctx context.Context, proto string, internal, want uint16, lifetime time.Duration) (netip.AddrPort, time.Duration, error)
	remove(ctx context.Context, proto string, internal, ext uint16) error
}

// NewKeeper makes a Keeper for port; it does nothing until Run.
func NewKeeper(port uint16, opts Options) *Keeper {
	opts = opts.withDefaults()
	return &Keeper{port: port, opts: opts, changes: make(chan struct{}, 1), ports: map[string]uint16{},
		pcpNonces: map[string]pcpNonce{}, log: opts.Logger.With("component", "portmap", "port", port)}
}

// Current returns the mappings in place now (none while no router maps).
func (k *Keeper) Current() []Mapping {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.cur)
}

// Changes receives a value (coalesced) whenever the protocols or addresses
// of Current change; renewals that only move Expires do not count.
func (k *Keeper) Changes() <-chan struct{} { return k.changes }

// Run asks the router for the mappings (trying the methods in order), renews
// them at half their lifetime, and while no router maps tries again with a
// growing wait. When ctx ends it removes the mappings within a fresh
// Options.Timeout and returns nil; it fails only on unusable options. All
// its network I/O happens on the calling goroutine. Call it once.
func (k *Keeper) Run(ctx context.Context) error {
	if err := k.check(); err != nil {
		return err
	}
	defer k.release(ctx)
	wait := min(firstRetry, k.opts.Retry)
	for ctx.Err() == nil {
		if k.client != nil {
			if err := k.mapAll(ctx, k.client); err != nil && ctx.Err() == nil {
				k.log.Info("port mapping lost", "method", k.client.method(), "err", err)
				k.client = nil
				k.set(nil)
			}
		}
		next := k.renewIn
		if k.client == nil && ctx.Err() == nil {
			if err := k.establish(ctx); err != nil {
				if ctx.Err() != nil {
					break
				}
				if !k.quiet {
					k.log.Info("no port mapping: no router here offers it", "methods", k.opts.Methods, "retry", k.opts.Retry, "reason", err)
					k.quiet = true
				} else {
					k.log.Debug("no port mapping yet", "reason", err)
				}
				next, wait = wait, min(wait*2, k.opts.Retry)
			} else {
				next, wait, k.quiet = k.renewIn, min(firstRetry, k.opts.Retry), false
			}
		}
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

func (k *Keeper) check() error {
	if k.port == 0 {
		return fmt.Errorf("%w: port 0", ErrBadOptions)
	}
	if len(k.opts.Methods) == 0 {
		return fmt.Errorf("%w: no methods", ErrBadOptions)
	}
	for _, m := range k.opts.Methods {
		if m != MethodPCP && m != MethodNATPMP && m != MethodUPnP {
			return fmt.Errorf("%w: unknown method %q", ErrBadOptions, m)
		}
	}
	return nil
}

// set replaces Current and signals Changes if it differs but for Expires.
func (k *Keeper) set(ms []Mapping) (changed bool) {
	k.mu.Lock()
	changed = !slices.EqualFunc(k.cur, ms, func(a, b Mapping) bool {
		a.Expires, b.Expires = time.Time{}, time.Time{}
		return a == b
	})
	k.cur = ms
	k.mu.Unlock()
	if changed {
		select {
		case k.changes <- struct{}{}:
		default:
		}
	}
	return changed
}
