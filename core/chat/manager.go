package chat

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"tincan/core/identity"
	"tincan/core/store"
)

// Limits and timings that are not configurable.
const (
	handshakeTimeout = 10 * time.Second // TLS handshake plus the Hello exchange
	byeTimeout       = time.Second      // to flush the last frames and Bye on close
	window           = 256              // unacknowledged messages in flight per session
	maxQueue         = 4096             // frames waiting in a session's send queue
	maxHandshakes    = 64               // inbound handshakes in progress at once
	maxProbe         = 5 * time.Second  // to answer a probe of a session we chose to keep
)

// Config is what a Manager needs; zero optional fields take their defaults.
type Config struct {
	Identity  *identity.Identity
	Retired   []*rsa.PrivateKey // keys rotated away from that contacts with a card update waiting still pin
	Store     *store.Store
	Locator   Locator       // nil: StaticLocator{}
	Dialer    Dialer        // nil: &net.Dialer{}
	Listener  net.Listener  // nil: no inbound sessions; Run closes it when it returns
	Emit      func(Event)   // called in order, one at a time; must not block
	Logger    *slog.Logger  // nil: slog.Default()
	RetryMin  time.Duration // first dial backoff, default 500ms
	RetryMax  time.Duration // longest dial backoff while messages wait, default 30s
	KeepAlive time.Duration // ping interval, default 20s; silence for 3x this ends a session
	// UpgradeEvery is how often a relayed session tries the direct routes
	// again; a direct session that comes up replaces it. Default 1 min.
	UpgradeEvery time.Duration
	// UpgradeFirst is the first such try after a relayed session comes up,
	// default 2 s; the waits then double up to UpgradeEvery. Both sides arm it when the session comes up, so their
	// direct dials leave within a round trip of each other: what a hole
	// punch through two NATs needs.
	UpgradeFirst time.Duration
	// PresenceMax is the longest wait between redials of an unreachable
	// contact with nothing to send (presence). Default 1 min, never below
	// RetryMax.
	PresenceMax time.Duration
	// Calls receives call signalling and media frames; nil drops them.
	Calls CallHandler
}

// Manager runs the chat sessions of one identity.
type Manager struct {
	cfg  Config
	log  *slog.Logger
	name string

	keyMu sync.RWMutex
	tls   tlsIdentity                          // the current key
	old   map[identity.Fingerprint]tlsIdentity // retired keys some contacts still pin

	emitMu sync.Mutex
	wg     sync.WaitGroup
	gate   *dialGate // presence dials

	mu        sync.Mutex
	state     int // notStarted, running, stopped
	ctx       context.Context
	peers     map[int64]*peer
	retiring  map[int64]*peer // forgotten peers still shutting down
	forgotten map[int64]bool
	presence  map[int64]PresenceChanged
}

const (
	notStarted = iota
	running
	stopped
)

// ErrRunTwice is returned by a second call of Run.
var ErrRunTwice = errors.New("chat: Run called more than once")

// New checks cfg, fills in defaults and prepares the TLS identity.
func New(cfg Config) (*Manager, error) {
	if cfg.Identity == nil || cfg.Identity.Key == nil {
		return nil, errors.New("chat: config has no identity")
	}
	if cfg.Store == nil {
		return nil, errors.New("chat: config has no store")
	}
	if cfg.Locator == nil {
		cfg.Locator = StaticLocator{}
	}
	if cfg.Dialer == nil {
		cfg.Dialer = &net.Dialer{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 500 * time.Millisecond
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 30 * time.Second
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = cfg.RetryMin
	}
	if cfg.PresenceMax <= 0 {
		cfg.PresenceMax = time.Minute
	}
	cfg.PresenceMax = max(cfg.PresenceMax, cfg.RetryMax)
	if cfg.UpgradeEvery <= 0 {
		cfg.UpgradeEvery = time.Minute
	}
	if cfg.UpgradeFirst <= 0 {
		cfg.UpgradeFirst = min(2*time.Second, cfg.UpgradeEvery)
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 20 * time.Second
	}
	ti, retired, err := newKeys(cfg.Identity, cfg.Retired)
	if err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	return &Manager{
		cfg:       cfg,
		log:       cfg.Logger,
		tls:       ti,
		old:       retired,
		name:      helloName(cfg.Identity.Name),
		peers:     make(map[int64]*peer),
		retiring:  make(map[int64]*peer),
		forgotten: make(map[int64]bool),
		presence:  make(map[int64]PresenceChanged),
		gate:      newDialGate(presenceDials, presenceGap),
	}, nil
}

// Run accepts and dials sessions and pumps every outbox until ctx is done.
// When it returns, every goroutine it started has stopped, every connection
// is closed, and so is the Listener.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.state != notStarted {
		m.mu.Unlock()
		return ErrRunTwice
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	m.state, m.ctx = running, runCtx
	m.mu.Unlock()

	if ln := m.cfg.Listener; ln != nil {
		m.wg.Add(1)
		go m.acceptLoop(runCtx, ln)
	}
	ids, err := m.pendingContacts(runCtx)
	if err != nil && runCtx.Err() == nil {
		m.log.Error("list contacts with pending messages", "err", err)
	}
	m.watchAll(runCtx, ids)
	for _, id := range ids {
		m.Kick(id)
	}

	<-runCtx.Done()
	m.mu.Lock()
	m.state = stopped
	m.mu.Unlock()
	m.wg.Wait()
	return ctx.Err()
}

// Kick asks for the contact's outbox to be delivered now: over the live
// session, or by dialing at once. It never blocks.
func (m *Manager) Kick(contactID int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.forgotten, contactID)
	if m.state != running {
		return
	}
	p := m.peerLocked(contactID)
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Forget closes the contact's session and stops retrying it; its sessions
// are refused until the next Kick.
func (m *Manager) Forget(contactID int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.forgotten[contactID] = true
	if p := m.peers[contactID]; p != nil {
		delete(m.peers, contactID)
		m.retiring[contactID] = p
		p.cancel()
	}
}

// Presence returns the contact's current session state.
func (m *Manager) Presence(contactID int64) PresenceChanged {
	m.mu.Lock()
	defer m.mu.Unlock()
	if pc, ok := m.presence[contactID]; ok {
		return pc
	}
	return offline(contactID)
}

func offline(id int64) PresenceChanged {
	return PresenceChanged{ContactID: id, Online: false, Path: PathNone}
}

// setPresence records pc and emits it if it differs from the last state.
func (m *Manager) setPresence(pc PresenceChanged) {
	m.mu.Lock()
	old, ok := m.presence[pc.ContactID]
	if !ok {
		old = offline(pc.ContactID)
	}
	m.presence[pc.ContactID] = pc
	m.mu.Unlock()
	if old != pc {
		m.emit(pc)
	}
}

// emit hands ev to the configured Emit, one call at a time.
func (m *Manager) emit(ev Event) {
	if m.cfg.Emit == nil {
		return
	}
	m.emitMu.Lock()
	defer m.emitMu.Unlock()
	m.cfg.Emit(ev)
}

// peerLocked returns the contact's peer, starting it if needed. m.mu is held
// and the manager is running.
func (m *Manager) peerLocked(id int64) *peer {
	if p := m.peers[id]; p != nil {
		return p
	}
	prev := m.retiring[id]
	delete(m.retiring, id)
	p := newPeer(m, id, prev)
	m.peers[id] = p
	m.wg.Add(1)
	go p.run()
	return p
}

// retired drops a finished peer from the retiring set.
func (m *Manager) retired(p *peer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.retiring[p.id] == p {
		delete(m.retiring, p.id)
	}
}

// attach hands an established session to its contact's peer, or closes it
// when the manager is stopping or the contact was forgotten.
func (m *Manager) attach(contactID int64, s *session) {
	m.mu.Lock()
	if m.state != running || m.forgotten[contactID] {
		m.mu.Unlock()
		s.log.Info("session dropped: contact forgotten or manager stopping")
		s.abort()
		return
	}
	p := m.peerLocked(contactID)
	m.mu.Unlock()
	select {
	case p.attachc <- s:
	case <-p.ctx.Done():
		s.abort()
	}
}
