package chat

import (
	"context"
	"slices"
	"sync"
	"time"

	"tincan/core/store"
)

// Presence: every non-revoked contact is dialed when the manager starts and
// redialed with backoff while unreachable, whether or not anything waits in
// its outbox, so that both sides of a dropped session work to bring it back.
// Such dials (not those for a Kick or for waiting messages) pass a gate
// that bounds how many run at once and how often one starts.
const (
	presenceDials = 4                     // presence dials running at once
	presenceGap   = 50 * time.Millisecond // between two presence dial starts: at most 20 a second
)

// dialGate spaces and bounds the presence dials of one manager. It holds no
// goroutine.
type dialGate struct {
	slots chan struct{}
	gap   time.Duration

	mu   sync.Mutex
	next time.Time // the earliest start of the next dial
}

func newDialGate(n int, gap time.Duration) *dialGate {
	return &dialGate{slots: make(chan struct{}, n), gap: gap}
}

// wait blocks until the dial may start, then returns the function that
// frees its slot. Dials pass at least gap apart, counted when they pass (a
// late wake-up cannot bunch them). A close of urgent lets the dial start at
// once, outside the gate (a message now waits for it); release is then a
// no-op.
func (g *dialGate) wait(ctx context.Context, urgent <-chan struct{}) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
	case <-urgent:
		return func() {}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release = func() { <-g.slots }
	for {
		g.mu.Lock()
		now := time.Now()
		d := g.next.Sub(now)
		if d <= 0 {
			g.next = now.Add(g.gap)
			g.mu.Unlock()
			return release, nil
		}
		g.mu.Unlock()
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-urgent:
			t.Stop()
			release()
			return func() {}, nil
		case <-ctx.Done():
			t.Stop()
			release()
			return nil, ctx.Err()
		}
	}
}

// watchAll starts a peer for every contact that is not revoked, except
// those in kicked (they are about to be kicked); each dials through the gate
// unless its session comes up first.
func (m *Manager) watchAll(ctx context.Context, kicked []int64) {
	cs, err := m.cfg.Store.Contacts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Error("list contacts to watch", "err", err)
		}
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != running {
		return
	}
	for _, c := range cs {
		if c.Revoked || m.forgotten[c.ID] || slices.Contains(kicked, c.ID) {
			continue
		}
		p := m.peerLocked(c.ID)
		select {
		case p.watch <- struct{}{}:
		default:
		}
	}
}

// rememberEvery is how often an unchanged remembered address is stamped again.
const rememberEvery = time.Hour

// remember stores where a dial of ours reached the contact directly, to be
// tried first on the next start. Only dialed routes count: an accepted
// session's remote address has the contact's source port, which nobody
// listens on (a punch dial from the contact's listen port would be the
// exception, but the accepting side cannot tell one from the other), and a
// relay's address is not the contact's.
func (p *peer) remember(s *session) {
	if s.dialAddr == "" || s.path == PathRelay {
		return
	}
	now := time.Now()
	if s.dialAddr == p.lastAddr && now.Sub(p.lastAddrAt) < rememberEvery {
		return
	}
	ctx, cancel := p.storeCtx()
	defer cancel()
	if err := p.m.cfg.Store.SetLastAddr(ctx, p.id, s.dialAddr, now); err != nil {
		p.log.Warn("remember the contact's address", "err", err)
		return
	}
	p.lastAddr, p.lastAddrAt = s.dialAddr, now
	p.log.Debug("remembered the contact's address", "addr", s.dialAddr)
}

// RememberedFirst returns addrs with the contact's remembered address (where
// a dial of ours last reached it) moved or added to the front.
func RememberedFirst(c store.Contact, addrs []string) []string {
	if c.LastAddr == "" {
		return addrs
	}
	out := make([]string, 0, len(addrs)+1)
	out = append(out, c.LastAddr)
	for _, a := range addrs {
		if a != c.LastAddr {
			out = append(out, a)
		}
	}
	return out
}
