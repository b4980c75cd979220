package chat

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"tincan/core/store"
)

// peer is the goroutine that owns everything about one contact: its live
// session, the outbox stream over it, dialing and backoff. Store updates and
// events for the contact happen only here, so they happen in order.
type peer struct {
	m      *Manager
	id     int64
	ctx    context.Context
	cancel context.CancelFunc
	prev   *peer // a forgotten predecessor that must finish first
	log    *slog.Logger

	kick    chan struct{}
	watch   chan struct{} // Run's start: dial through the presence gate
	attachc chan *session
	events  chan event
	dialed  chan dialResult
	done    chan struct{}

	live atomic.Pointer[session] // the live session, for call frames from other goroutines

	// Owned by run.
	cur        *session
	out        outState
	dialing    bool
	dialCancel context.CancelFunc
	urgent     chan struct{} // closed to let a gated dial skip the gate; nil when none waits
	backoff    time.Duration
	retryGated bool // the armed retry is a presence redial (nothing to send)
	lastAddr   string
	lastAddrAt time.Time // the remembered address as stored, and when it was confirmed
	attempts   int       // dials since the last session, to alternate keys after a rotation
	retry      *time.Timer
	ticker     *time.Ticker
	probe      *time.Timer
	record     *time.Timer   // armed while Delivered records wait (scheduleRecord)
	upgrade    *time.Timer   // armed while the live session is relayed
	upgradeIn  time.Duration // the next wait: UpgradeFirst, doubling up to UpgradeEvery
	probeSince int64
	nonce      uint64
}

type dialResult struct {
	s   *session
	err error
}

func newPeer(m *Manager, id int64, prev *peer) *peer {
	ctx, cancel := context.WithCancel(m.ctx)
	return &peer{
		m: m, id: id, ctx: ctx, cancel: cancel, prev: prev,
		log:     m.log.With("contact", id),
		kick:    make(chan struct{}, 1),
		watch:   make(chan struct{}, 1),
		attachc: make(chan *session),
		events:  make(chan event, 64),
		dialed:  make(chan dialResult),
		done:    make(chan struct{}),
	}
}

func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

func (p *peer) run() {
	defer p.m.wg.Done()
	defer p.m.retired(p)
	defer close(p.done)
	if p.prev != nil {
		select {
		case <-p.prev.done:
		case <-p.ctx.Done():
			return
		}
	}
	p.recoverSent()
	for {
		var tick <-chan time.Time
		if p.ticker != nil {
			tick = p.ticker.C
		}
		select {
		case <-p.ctx.Done():
			p.stop()
			return
		case <-p.kick:
			p.onKick()
		case <-p.watch:
			if p.cur == nil && p.retry == nil {
				p.startDial(false, true)
			}
		case s := <-p.attachc:
			p.onAttach(s)
		case ev := <-p.events:
			p.onEvents(p.drain(ev))
		case r := <-p.dialed:
			p.onDialed(r)
		case <-timerC(p.retry):
			p.retry = nil
			if p.cur == nil {
				p.startDial(false, p.retryGated)
			}
		case <-tick:
			p.onTick()
		case <-timerC(p.probe):
			p.probe = nil
			p.onProbe()
		case <-timerC(p.upgrade):
			p.upgrade = nil
			p.onUpgrade()
		case <-timerC(p.record):
			p.record = nil
			p.recordPending()
		}
	}
}

// storeCtx is for store calls that must complete even while stopping.
func (p *peer) storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(p.ctx), 5*time.Second)
}

// recoverSent moves messages left Sent by a crash back to Queued.
func (p *peer) recoverSent() {
	ob, err := p.m.cfg.Store.Outbox(p.ctx, p.id)
	if err != nil {
		if p.ctx.Err() == nil && !errors.Is(err, store.ErrNotFound) {
			p.log.Error("read outbox", "err", err)
		}
		return
	}
	var stale []store.MessageID
	for _, msg := range ob {
		if msg.State == store.Sent {
			stale = append(stale, msg.ID)
		}
	}
	p.resetSent(stale)
}

// resetSent moves the contact's Sent messages back to Queued and reports ids.
func (p *peer) resetSent(ids []store.MessageID) {
	if len(ids) == 0 {
		return
	}
	ctx, cancel := p.storeCtx()
	defer cancel()
	if err := p.m.cfg.Store.ResetSent(ctx, p.id); err != nil {
		p.log.Error("requeue sent messages", "err", err)
		return
	}
	for _, id := range ids {
		p.m.emit(StateChanged{ContactID: p.id, ID: id, State: store.Queued})
	}
}

func (p *peer) onKick() {
	if p.cur != nil {
		p.out.dirty, p.out.cardDirty = true, true
		p.pump()
		return
	}
	if p.dialing {
		if p.urgent != nil {
			close(p.urgent) // a presence dial waits at the gate: let it go now
			p.urgent = nil
		}
		return
	}
	p.stopRetry()
	p.startDial(false, false)
}

func (p *peer) stopRetry() {
	if p.retry != nil {
		p.retry.Stop()
		p.retry = nil
	}
}

// startDial dials the contact in the background unless a dial is running;
// directOnly leaves the relays out (an upgrade attempt); gated waits for the
// manager's presence gate first (nothing is waiting to be sent).
func (p *peer) startDial(directOnly, gated bool) {
	if p.dialing || p.ctx.Err() != nil {
		return
	}
	c, err := p.m.cfg.Store.ContactByID(p.ctx, p.id)
	if errors.Is(err, store.ErrNotFound) {
		p.log.Info("not dialing: contact no longer exists")
		return
	}
	if err != nil {
		if p.ctx.Err() == nil {
			p.log.Error("load contact", "err", err)
			p.scheduleRetry()
		}
		return
	}
	if c.Revoked {
		p.log.Info("not dialing: contact revoked")
		return
	}
	p.lastAddr, p.lastAddrAt = c.LastAddr, c.LastAddrAt
	ti := p.dialKey()
	p.attempts++
	ctx, cancel := context.WithCancel(p.ctx)
	p.dialing, p.dialCancel = true, cancel
	var urgent chan struct{}
	if gated {
		urgent = make(chan struct{})
		p.urgent = urgent
	}
	p.m.wg.Add(1)
	go func() {
		defer p.m.wg.Done()
		var (
			s   *session
			err error
		)
		release := func() {}
		if gated {
			release, err = p.m.gate.wait(ctx, urgent)
		}
		if err == nil {
			s, err = p.m.dial(ctx, ti, c, directOnly)
			release()
		}
		select {
		case p.dialed <- dialResult{s, err}:
		case <-p.ctx.Done():
			if s != nil {
				s.abort()
			}
		}
	}()
}

func (p *peer) onDialed(r dialResult) {
	p.dialing, p.urgent = false, nil
	p.dialCancel()
	if r.err != nil {
		if errors.Is(r.err, ErrProtocol) {
			p.log.Warn("dial failed: protocol violation", "err", r.err)
		} else {
			p.log.Info("dial failed", "err", r.err)
		}
		if p.cur == nil {
			p.scheduleRetry()
		}
		return
	}
	p.onAttach(r.s)
}

// scheduleRetry arms the backoff timer: up to RetryMax while messages
// wait, up to PresenceMax (a gated presence redial) while none do.
func (p *peer) scheduleRetry() {
	if p.ctx.Err() != nil || p.dialing || p.retry != nil {
		return
	}
	cfg := p.m.cfg
	ceiling, gated := cfg.RetryMax, false
	ids, err := p.m.pendingContacts(p.ctx)
	if err != nil {
		p.log.Error("check outbox", "err", err)
	} else if !slices.Contains(ids, p.id) {
		ceiling, gated = cfg.PresenceMax, true
	}
	p.backoff = min(max(2*p.backoff, cfg.RetryMin), ceiling)
	half := p.backoff / 2
	d := half + rand.N(p.backoff-half+1)
	p.retry, p.retryGated = time.NewTimer(d), gated
	p.log.Debug("will redial", "in", d, "presence", gated)
}

// onAttach takes a new established session. With one already live, both
// sides keep the one dialed by the side whose fingerprint is smaller (or the
// newer one if the same side dialed both) and close the other.
func (p *peer) onAttach(s *session) {
	s.start(p.events)
	old := p.cur
	if old == nil {
		p.up(s)
		return
	}
	if p.keepNew(old, s) {
		s.log.Info("replacing the live session with a new one")
		p.down(old, "duplicate session", false)
		p.up(s)
		return
	}
	s.log.Info("closing duplicate session")
	s.close("duplicate session")
	// The live session may be dead without our knowing (the peer crashed
	// and dialed again): it must answer a ping promptly or go.
	if p.probe == nil {
		p.probeSince = time.Now().UnixNano()
		p.ping()
		if p.cur != nil {
			p.probe = time.NewTimer(min(p.m.cfg.KeepAlive, maxProbe))
		}
	}
}

func (p *peer) keepNew(old, s *session) bool {
	if oldRelay, newRelay := old.path == PathRelay, s.path == PathRelay; oldRelay != newRelay {
		return oldRelay // both sides prefer the session without a relay
	}
	if old.outbound == s.outbound {
		return true
	}
	meSmaller := bytes.Compare(s.localFP[:], s.peerFP[:]) < 0
	return s.outbound == meSmaller
}

// up makes s the live session and starts sending the outbox over it.
func (p *peer) up(s *session) {
	p.cur = s
	p.live.Store(s)
	p.backoff, p.attempts = 0, 0
	p.stopRetry()
	if p.dialing && p.urgent != nil {
		p.dialCancel() // a presence dial is moot now: do not open a duplicate
	}
	p.recordPending() // the old session's records, before its state goes
	p.out = newOutState()
	p.ticker = time.NewTicker(p.m.cfg.KeepAlive)
	s.log.Info("session up", "peer_name", s.peerName)
	p.remember(s)
	p.m.setPresence(PresenceChanged{ContactID: p.id, Online: true, Path: s.path, Addr: s.remote, Relay: s.relay})
	p.stopUpgrade()
	if s.path == PathRelay {
		p.upgradeIn = p.m.cfg.UpgradeFirst
		p.upgrade = time.NewTimer(p.upgradeIn)
	}
	p.pump()
}

// down closes s (the live session), requeues what it had sent but not had
// acknowledged, and, if the contact is now unreachable, reports it offline
// and arranges a redial.
func (p *peer) down(s *session, reason string, lost bool) {
	s.close(reason)
	p.recordPending() // what was delivered is not sent again
	p.cur = nil
	p.live.CompareAndSwap(s, nil)
	p.stopUpgrade()
	if p.ticker != nil {
		p.ticker.Stop()
		p.ticker = nil
	}
	if p.probe != nil {
		p.probe.Stop()
		p.probe = nil
	}
	p.resetSent(p.out.sentIDs())
	p.out = outState{}
	if lost {
		p.m.setPresence(offline(p.id))
		p.scheduleRetry()
	}
}

// lose ends the live session after err (or a Bye) and logs why.
func (p *peer) lose(err error, bye string) {
	if errors.Is(err, ErrProtocol) || errors.Is(err, errQueueFull) {
		p.cur.log.Warn("closing session: peer misbehaved", "err", err)
	} else {
		p.cur.log.Info("session down", "err", err)
	}
	p.down(p.cur, bye, true)
}

func (p *peer) onEvent(ev event) {
	if ev.s != p.cur || p.cur == nil {
		return // from a session already dropped
	}
	switch ev.kind {
	case evMsg, evAck, evWritten:
		p.onBatch([]event{ev})
	case evBye:
		p.cur.log.Info("peer closed the session", "reason", ev.reason)
		p.down(p.cur, "", true)
	case evClosed:
		bye := ""
		if errors.Is(ev.err, ErrProtocol) {
			bye = "protocol error"
		}
		p.lose(ev.err, bye)
	case evCard:
		p.onCard(ev.card)
	}
}

func (p *peer) onTick() {
	s := p.cur
	if s == nil {
		return
	}
	if idle := time.Since(time.Unix(0, s.lastRecv.Load())); idle > 3*p.m.cfg.KeepAlive {
		p.lose(errors.New("keep-alive timeout: peer silent for "+idle.Round(time.Millisecond).String()), "timeout")
		return
	} else if s.outbound || idle > 5*p.m.cfg.KeepAlive/4 {
		// The dialing side pings and the other answers: one ping and one
		// pong per interval keep both sides' timers fresh. The accepting
		// side pings only when the dialer's pings stop coming.
		p.ping()
	}
	if p.cur != nil {
		p.recordPending()
		p.out.dirty, p.out.cardDirty = true, true // pick up anything queued without a Kick
		p.pump()
	}
}

func (p *peer) onProbe() {
	if s := p.cur; s != nil && s.lastRecv.Load() < p.probeSince {
		p.lose(errors.New("no answer to a probe after a duplicate session"), "timeout")
	}
}

func (p *peer) ping() {
	p.nonce++
	p.sendOrLose(pingOf(p.nonce), store.MessageID{})
}

// stop ends everything when the manager stops or the contact is forgotten.
func (p *peer) stop() {
	if p.dialCancel != nil {
		p.dialCancel()
	}
	p.stopRetry()
	if p.cur != nil {
		p.down(p.cur, "shutting down", true)
	}
}

func (p *peer) stopUpgrade() {
	if p.upgrade != nil {
		p.upgrade.Stop()
		p.upgrade = nil
	}
}

// onUpgrade tries the direct routes while the live session is relayed; a
// direct session that comes up replaces the relayed one (keepNew), and what
// the relayed one had in flight is sent again over it.
func (p *peer) onUpgrade() {
	if p.cur == nil || p.cur.path != PathRelay {
		return
	}
	// A failed punch is tried again soon, then less often: 2, 4, 8 … s up
	// to UpgradeEvery.
	p.upgradeIn = min(max(2*p.upgradeIn, p.m.cfg.UpgradeFirst), p.m.cfg.UpgradeEvery)
	p.upgrade = time.NewTimer(p.upgradeIn)
	if !p.dialing {
		p.log.Debug("relayed: trying a direct path again")
		p.startDial(true, false)
	}
}
