package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Role is what a node is to the entry set, for status output.
type Role string

// The roles of a node.
const (
	RoleNone      Role = "none"      // not reachable, no credentials or no known public address
	RoleCandidate Role = "candidate" // reachable with credentials, not published
	RoleEntry     Role = "entry"     // its own record is published
)

// Entry is one published entry point as the Elector last saw it.
type Entry struct {
	ID        string         `json:"id"`
	Addr      netip.AddrPort `json:"addr"`
	Self      bool           `json:"self,omitempty"`
	Alive     bool           `json:"alive"`    // answered the last probe (this node: is reachable)
	Failures  int            `json:"failures"` // consecutive failed probes
	CreatedOn time.Time      `json:"created_on"`
}

// State is the Elector's view for status output.
type State struct {
	Role        Role      `json:"role"`
	Entries     []Entry   `json:"entries"`
	Checks      uint64    `json:"checks"`
	LastCheck   time.Time `json:"last_check"`
	LastError   string    `json:"last_error,omitempty"` // the last failed check's error, kept after later successes
	LastErrorAt time.Time `json:"last_error_at"`
	LastCheckOK bool      `json:"last_check_ok"`
}

// ElectorConfig configures an Elector.
type ElectorConfig struct {
	Provider      DNSProvider       // the entry records; nil means no credentials: never writes
	Prober        Prober            // checks entry points; required
	Port          uint16            // the port every entry point listens on; required
	Self          func() netip.Addr // this node's public address; an invalid one means unknown
	Reachable     func() bool       // proven reachable from outside (by a dial-back); nil means never
	Allow         []netip.Prefix    // non-global prefixes that may be published anyway (a private deployment, a lab)
	Clock         Clock             // nil means RealClock
	Interval      time.Duration     // between checks; 0 means one minute
	Jitter        float64           // spread of Interval, as a fraction in (0, 0.5]; 0 means 0.2
	FailThreshold int               // consecutive failed probes before removal; 0 means 2
	MaxEntries    int               // cap on published records, 1..16; 0 means 4
	ProbeTimeout  time.Duration     // per probe; 0 means 5 seconds
	CheckTimeout  time.Duration     // per check, API calls included; 0 means 45 seconds
	Rand          *rand.Rand        // jitter source; nil means randomly seeded
	Logger        *slog.Logger      // nil means slog.Default()
}

// Elector keeps the entry set alive: it removes dead entry points and, when
// this node is reachable and has credentials, publishes it while the set is
// below the cap.
type Elector struct {
	cfg   ElectorConfig
	clock Clock
	log   *slog.Logger
	rand  *rand.Rand // used only by Run

	checkMu sync.Mutex     // serializes checks
	fails   map[string]int // record ID -> consecutive failed probes; under checkMu

	mu    sync.Mutex
	state State

	running atomic.Bool
}

// maxProbes bounds the records probed in one check; older records come first.
const maxProbes = 64

// probeWorkers bounds concurrent probes.
const probeWorkers = 8

// NewElector checks cfg, fills in defaults and returns an Elector.
func NewElector(cfg ElectorConfig) (*Elector, error) {
	if cfg.Prober == nil {
		return nil, errors.New("elector: no prober")
	}
	if cfg.Port == 0 {
		return nil, errors.New("elector: no entry port")
	}
	if cfg.Interval == 0 {
		cfg.Interval = time.Minute
	}
	if cfg.Interval < 0 {
		return nil, fmt.Errorf("elector: negative interval %v", cfg.Interval)
	}
	if cfg.Jitter == 0 {
		cfg.Jitter = 0.2
	}
	if cfg.Jitter < 0 || cfg.Jitter > 0.5 {
		return nil, fmt.Errorf("elector: jitter %v outside (0, 0.5]", cfg.Jitter)
	}
	if cfg.FailThreshold == 0 {
		cfg.FailThreshold = 2
	}
	if cfg.FailThreshold < 1 {
		return nil, fmt.Errorf("elector: failure threshold %d below 1", cfg.FailThreshold)
	}
	if cfg.MaxEntries == 0 {
		cfg.MaxEntries = 4
	}
	if cfg.MaxEntries < 1 || cfg.MaxEntries > 16 {
		return nil, fmt.Errorf("elector: entry cap %d outside 1..16", cfg.MaxEntries)
	}
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = 5 * time.Second
	}
	if cfg.CheckTimeout <= 0 {
		cfg.CheckTimeout = 45 * time.Second
	}
	if cfg.Self == nil {
		cfg.Self = func() netip.Addr { return netip.Addr{} }
	}
	if cfg.Reachable == nil {
		cfg.Reachable = func() bool { return false }
	}
	e := &Elector{cfg: cfg, clock: cfg.Clock, log: cfg.Logger, rand: cfg.Rand, fails: map[string]int{}}
	if e.clock == nil {
		e.clock = RealClock{}
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.rand == nil {
		e.rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	e.state = State{Role: RoleNone, Entries: []Entry{}}
	return e, nil
}

// State returns a copy of the Elector's current view.
func (e *Elector) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.state
	s.Entries = append([]Entry{}, s.Entries...)
	return s
}

// Run checks the entry set at Interval with jitter until ctx is done; the
// first check comes after a random delay of at most Jitter*Interval. It
// returns nil when ctx is done, or an error if the Elector is already running.
func (e *Elector) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("elector: already running")
	}
	defer e.running.Store(false)
	delay := e.firstDelay()
	for {
		fire := make(chan struct{}, 1)
		t := e.clock.AfterFunc(delay, func() { fire <- struct{}{} })
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-fire:
		}
		if err := e.Check(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("entry point check failed", "err", err)
		}
		delay = e.nextDelay()
	}
}

// jitterSpan is the largest distance of a delay from Interval.
func (e *Elector) jitterSpan() time.Duration {
	return time.Duration(e.cfg.Jitter * float64(e.cfg.Interval))
}

// firstDelay is uniform in [0, jitterSpan].
func (e *Elector) firstDelay() time.Duration {
	return time.Duration(e.rand.Float64() * float64(e.jitterSpan()))
}

// nextDelay is uniform in [Interval-jitterSpan, Interval+jitterSpan].
func (e *Elector) nextDelay() time.Duration {
	return e.cfg.Interval + time.Duration((2*e.rand.Float64()-1)*float64(e.jitterSpan()))
}

// self returns this node's publishable address and whether it may write:
// it has credentials, a known public address and is reachable.
func (e *Elector) self() (netip.Addr, bool) {
	a := e.cfg.Self().Unmap()
	if !Publishable(a, e.cfg.Allow) {
		return netip.Addr{}, false
	}
	return a, e.cfg.Provider != nil && e.cfg.Reachable()
}
