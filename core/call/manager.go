package call

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"tincan/core/clock"
	"tincan/core/wire"
)

// Errors the API returns for requests that make no sense now; the caller
// shows them to the user (the CLI exits 2).
var (
	ErrBusy       = errors.New("already in a call")
	ErrNotRinging = errors.New("no call is ringing from this contact")
	ErrNoCall     = errors.New("no call in progress")
	ErrClosed     = errors.New("calls are shut down")
)

// Signaller sends call-signalling frames over the contact's pinned TLS
// session. It must not block; chat.ErrNoSession-like errors mean the
// contact has no live session now.
type Signaller interface {
	SendCall(contactID int64, c wire.Call) error
}

// Config is what a Manager needs.
type Config struct {
	Signal Signaller
	Media  MediaStarter
	// Candidates returns our UDP addresses to offer; nil offers none.
	Candidates func() []string
	// Connect asks for a session with the contact (the offer goes out when
	// OnSession reports it up); nil does nothing.
	Connect func(contactID int64)
	// Emit receives every change of the current call, in order; it must
	// not block and must not call back into the Manager synchronously.
	Emit   func(Info)
	Clock  clock.Clock // nil: the wall clock
	Logger *slog.Logger
	// Timing; zero takes the default.
	RingTimeout    time.Duration // unanswered call gives up: 45 s
	OfferTimeout   time.Duration // no sign of the contact's app: 15 s
	ConnectTimeout time.Duration // answered but no media: 20 s
	KeepAlive      time.Duration // signalling keepalive while answered: 5 s
	SilenceTimeout time.Duration // media and signalling both silent ends the call: 15 s
}

// Info describes the current (or just ended) call.
type Info struct {
	ID            string // hex of the 8-byte call ID
	ContactID     int64
	Incoming      bool
	State         State
	RemoteRinging bool      // outgoing: the contact's app is ringing
	Muted         bool      // our microphone is muted
	CreatedAt     time.Time // dialled or offered
	StartedAt     time.Time // answered; zero before
	EndedAt       time.Time
	Reason        Reason // set when State is Ended
	Error         string // detail for ReasonFailed
	Stats         Stats  // live media figures (zero before media)
}

// Duration is how long the call has been (or was) answered.
func (i Info) Duration() time.Duration {
	if i.StartedAt.IsZero() {
		return 0
	}
	end := i.EndedAt
	if end.IsZero() {
		end = time.Now()
	}
	return end.Sub(i.StartedAt)
}

// Manager runs at most one call at a time. See the package doc for its
// locking rules.
type Manager struct {
	cfg Config
	log *slog.Logger

	fxMu sync.Mutex // held while a transition's effects run, so they run in order

	mu     sync.Mutex
	cur    *callState // owned under mu
	closed bool
}

// callState is one call. Every field is guarded by Manager.mu.
type callState struct {
	info      Info
	id        [8]byte
	key       [32]byte
	offer     wire.Call // ours, resent when a session comes up
	offerSent bool
	remote    []string // the contact's UDP candidates
	media     Media
	cancel    context.CancelFunc // ends StartMedia
	lastSig   time.Time          // last frame of this call from the contact
	timers    []clock.Timer
}

// New makes a Manager; it starts no goroutine.
func New(cfg Config) *Manager {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.RingTimeout, 45*time.Second)
	def(&cfg.OfferTimeout, 15*time.Second)
	def(&cfg.ConnectTimeout, 20*time.Second)
	def(&cfg.KeepAlive, 5*time.Second)
	def(&cfg.SilenceTimeout, 15*time.Second)
	return &Manager{cfg: cfg, log: cfg.Logger}
}

// effects is what a transition does once mu is released.
type effects []func()

// transition runs fn under mu, then its effects in order with mu released.
func (m *Manager) transition(fn func(fx *effects) error) error {
	var fx effects
	m.mu.Lock()
	err := fn(&fx)
	m.fxMu.Lock()
	m.mu.Unlock()
	defer m.fxMu.Unlock()
	for _, f := range fx {
		f()
	}
	return err
}

// Current returns the call in progress, if any.
func (m *Manager) Current() (Info, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur == nil {
		return Info{}, false
	}
	info := m.cur.info
	if m.cur.media != nil {
		info.Stats = m.cur.media.Stats()
	}
	return info, true
}

// Dial calls the contact. The offer goes out now, or as soon as a session
// with the contact comes up (OnSession). Calling a contact whose call is
// ringing here answers it.
func (m *Manager) Dial(contactID int64) error {
	return m.transition(func(fx *effects) error {
		if m.closed {
			return ErrClosed
		}
		if c := m.cur; c != nil && c.info.State == Ringing && c.info.ContactID == contactID {
			m.send(fx, c, wire.Call{Kind: wire.CallAnswer, ID: c.id, Candidates: m.candidates()})
			m.connect(fx, c, false)
			return nil
		}
		if m.cur != nil {
			return ErrBusy
		}
		c := &callState{}
		if _, err := rand.Read(c.id[:]); err != nil {
			return fmt.Errorf("call id: %w", err)
		}
		if _, err := rand.Read(c.key[:]); err != nil {
			return fmt.Errorf("call key: %w", err)
		}
		c.info = Info{ID: hex.EncodeToString(c.id[:]), ContactID: contactID, State: Calling, CreatedAt: m.cfg.Clock.Now()}
		c.offer = wire.Call{Kind: wire.CallOffer, ID: c.id, Key: c.key, Candidates: m.candidates()}
		m.cur = c
		m.arm(c, m.cfg.OfferTimeout, func(fx *effects) {
			if c.info.State == Calling && !c.info.RemoteRinging {
				m.send(fx, c, wire.Call{Kind: wire.CallCancel, ID: c.id, Reason: "no sign of the contact's app"})
				m.end(fx, c, ReasonOffline, "")
			}
		})
		m.arm(c, m.cfg.RingTimeout, func(fx *effects) {
			if c.info.State == Calling {
				m.send(fx, c, wire.Call{Kind: wire.CallCancel, ID: c.id, Reason: "no answer"})
				m.end(fx, c, ReasonNoAnswer, "")
			}
		})
		m.sendOffer(fx, c)
		m.emit(fx, c)
		return nil
	})
}

// Answer accepts the call ringing from the contact.
func (m *Manager) Answer(contactID int64) error {
	return m.transition(func(fx *effects) error {
		c := m.cur
		if c == nil || c.info.State != Ringing || c.info.ContactID != contactID {
			return ErrNotRinging
		}
		m.send(fx, c, wire.Call{Kind: wire.CallAnswer, ID: c.id, Candidates: m.candidates()})
		m.connect(fx, c, false)
		return nil
	})
}

// Decline refuses the call ringing from the contact.
func (m *Manager) Decline(contactID int64) error {
	return m.transition(func(fx *effects) error {
		c := m.cur
		if c == nil || c.info.State != Ringing || c.info.ContactID != contactID {
			return ErrNotRinging
		}
		m.send(fx, c, wire.Call{Kind: wire.CallDecline, ID: c.id, Reason: "declined"})
		m.end(fx, c, ReasonDeclined, "")
		return nil
	})
}

// Hangup ends the current call whatever its state: cancels an outgoing
// one, declines an incoming one, hangs up an answered one.
func (m *Manager) Hangup() error {
	return m.transition(func(fx *effects) error {
		c := m.cur
		if c == nil {
			return ErrNoCall
		}
		m.hangup(fx, c, ReasonHangup)
		return nil
	})
}

func (m *Manager) hangup(fx *effects, c *callState, answered Reason) {
	switch c.info.State {
	case Calling:
		m.send(fx, c, wire.Call{Kind: wire.CallCancel, ID: c.id, Reason: "cancelled"})
		m.end(fx, c, ReasonCancelled, "")
	case Ringing:
		m.send(fx, c, wire.Call{Kind: wire.CallDecline, ID: c.id, Reason: "declined"})
		if answered == ReasonShutdown {
			m.end(fx, c, ReasonMissed, "")
		} else {
			m.end(fx, c, ReasonDeclined, "")
		}
	default:
		m.send(fx, c, wire.Call{Kind: wire.CallEnd, ID: c.id, Reason: "hung up"})
		m.end(fx, c, answered, "")
	}
}

// SetMute mutes or unmutes our microphone in the current call.
func (m *Manager) SetMute(on bool) error {
	return m.transition(func(fx *effects) error {
		c := m.cur
		if c == nil {
			return ErrNoCall
		}
		c.info.Muted = on
		if md := c.media; md != nil {
			*fx = append(*fx, func() { md.SetMute(on) })
		}
		m.emit(fx, c)
		return nil
	})
}

// Close hangs up any call and refuses new ones.
func (m *Manager) Close() {
	_ = m.transition(func(fx *effects) error {
		m.closed = true
		if c := m.cur; c != nil {
			m.hangup(fx, c, ReasonShutdown)
		}
		return nil
	})
}

func (m *Manager) candidates() []string {
	if m.cfg.Candidates == nil {
		return nil
	}
	cs := m.cfg.Candidates()
	if len(cs) > wire.MaxCandidates {
		cs = cs[:wire.MaxCandidates]
	}
	var out []string
	for _, a := range cs {
		if len(a) <= wire.MaxCandidate {
			out = append(out, a)
		}
	}
	return out
}

// sendOffer sends our offer if a session is up, else asks for one.
func (m *Manager) sendOffer(fx *effects, c *callState) {
	offer, id := c.offer, c.info.ContactID
	*fx = append(*fx, func() {
		if err := m.cfg.Signal.SendCall(id, offer); err != nil {
			m.log.Info("offer waits for a session", "contact", id, "err", err)
			if m.cfg.Connect != nil {
				m.cfg.Connect(id)
			}
		}
	})
	c.offerSent = true
}

// send queues a signalling frame to the call's contact, best effort.
func (m *Manager) send(fx *effects, c *callState, f wire.Call) {
	id := c.info.ContactID
	*fx = append(*fx, func() {
		if err := m.cfg.Signal.SendCall(id, f); err != nil {
			m.log.Debug("call signal not sent", "contact", id, "kind", f.Kind, "err", err)
		}
	})
}

// emit reports c's state after the transition.
func (m *Manager) emit(fx *effects, c *callState) {
	if m.cfg.Emit == nil {
		return
	}
	info := c.info
	*fx = append(*fx, func() { m.cfg.Emit(info) })
}

// arm runs fn under mu after d if c is still the current call.
func (m *Manager) arm(c *callState, d time.Duration, fn func(fx *effects)) {
	t := m.cfg.Clock.AfterFunc(d, func() {
		_ = m.transition(func(fx *effects) error {
			if m.cur == c {
				fn(fx)
			}
			return nil
		})
	})
	c.timers = append(c.timers, t)
}

// every runs fn under mu every d while c is the current call.
func (m *Manager) every(c *callState, d time.Duration, fn func(fx *effects)) {
	var tick func(fx *effects)
	tick = func(fx *effects) {
		fn(fx)
		if m.cur == c {
			m.arm(c, d, tick)
		}
	}
	m.arm(c, d, tick)
}

// end finishes c: stops its timers and media, reports it ended, and frees
// the Manager for the next call.
func (m *Manager) end(fx *effects, c *callState, r Reason, detail string) {
	if c.info.State == Ended {
		return
	}
	for _, t := range c.timers {
		t.Stop()
	}
	c.timers = nil
	c.info.State, c.info.Reason, c.info.Error = Ended, r, detail
	c.info.EndedAt = m.cfg.Clock.Now()
	if c.cancel != nil {
		c.cancel()
	}
	if md := c.media; md != nil {
		c.media = nil
		info := &c.info
		*fx = append(*fx, func() {
			st := md.Close()
			m.mu.Lock()
			info.Stats = st
			m.mu.Unlock()
		})
	}
	if m.cur == c {
		m.cur = nil
	}
	m.log.Info("call ended", "call", c.info.ID, "contact", c.info.ContactID, "reason", r, "detail", detail)
	*fx = append(*fx, func() {
		if m.cfg.Emit != nil {
			m.mu.Lock()
			info := c.info
			m.mu.Unlock()
			m.cfg.Emit(info)
		}
	})
}

// connect moves an answered call to Connecting and opens its media in the
// background.
func (m *Manager) connect(fx *effects, c *callState, caller bool) {
	c.info.State = Connecting
	c.lastSig = m.cfg.Clock.Now()
	for _, t := range c.timers {
		t.Stop()
	}
	c.timers = nil
	m.arm(c, m.cfg.ConnectTimeout, func(fx *effects) {
		if c.info.State == Connecting {
			m.send(fx, c, wire.Call{Kind: wire.CallEnd, ID: c.id, Reason: "no media path"})
			m.end(fx, c, ReasonFailed, "the call could not connect in time")
		}
	})
	m.every(c, m.cfg.KeepAlive, func(fx *effects) {
		m.send(fx, c, wire.Call{Kind: wire.CallKeepalive, ID: c.id})
		m.checkSilence(fx, c)
	})
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	p := Params{ContactID: c.info.ContactID, ID: c.id, Key: c.key, Caller: caller, Remote: c.remote}
	m.emit(fx, c)
	*fx = append(*fx, func() {
		go m.startMedia(ctx, c, p)
	})
}

func (m *Manager) startMedia(ctx context.Context, c *callState, p Params) {
	md, err := m.cfg.Media.StartMedia(ctx, p)
	_ = m.transition(func(fx *effects) error {
		if err != nil {
			if m.cur == c && c.info.State == Connecting {
				m.log.Warn("call media failed", "call", c.info.ID, "err", err)
				m.send(fx, c, wire.Call{Kind: wire.CallEnd, ID: c.id, Reason: "media failed"})
				m.end(fx, c, ReasonFailed, err.Error())
			}
			return nil
		}
		if m.cur != c || c.info.State != Connecting {
			*fx = append(*fx, func() { md.Close() })
			return nil
		}
		c.media = md
		c.info.State = Active
		c.info.StartedAt = m.cfg.Clock.Now()
		if c.info.Muted {
			*fx = append(*fx, func() { md.SetMute(true) })
		}
		c.info.Stats = md.Stats()
		m.emit(fx, c)
		return nil
	})
}

// checkSilence ends an answered call when neither media nor signalling has
// come from the contact for SilenceTimeout.
func (m *Manager) checkSilence(fx *effects, c *callState) {
	if c.info.State != Active || c.media == nil {
		return
	}
	now := m.cfg.Clock.Now()
	last := c.lastSig
	if lr := c.media.Stats().LastReceived; lr.After(last) {
		last = lr
	}
	if now.Sub(last) > m.cfg.SilenceTimeout {
		m.send(fx, c, wire.Call{Kind: wire.CallEnd, ID: c.id, Reason: "connection lost"})
		m.end(fx, c, ReasonLost, "nothing heard from the contact for "+now.Sub(last).Round(time.Second).String())
	}
}
