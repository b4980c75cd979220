package punch

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/netip"
	"time"
)

// Limits on what one punch sends.
const (
	MinSecret       = 16  // bytes of shared secret, at least
	MaxCandidates   = 16  // peer addresses taken from the caller
	MaxSpray        = 32  // predicted ports past each candidate's port
	maxTargets      = 128 // addresses probed each round: candidates, predictions, learnt sources
	maxLearnt       = 8   // of which learnt from probes' sources
	DefaultInterval = 150 * time.Millisecond
	replyGap        = 20 * time.Millisecond // at most one immediate answer per source in this time
)

// Errors a caller can act on.
var (
	ErrNoPath       = errors.New("punch: no path to the peer")
	ErrShortSecret  = fmt.Errorf("punch: the shared secret must have at least %d bytes", MinSecret)
	ErrNoCandidates = errors.New("punch: no usable peer address")
)

// Conn is the shared UDP socket punching probes through: it sends, and it
// routes the packets a match function accepts to a handler (stun.Mux does).
type Conn interface {
	WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error)
	Route(match func(b []byte) bool, fn func(b []byte, from netip.AddrPort)) (remove func())
}

// Options tune a punch; the zero value is sound.
type Options struct {
	// Interval is the mean time between rounds of probes, each round
	// jittered uniformly over [2/3, 4/3] of it; DefaultInterval if zero.
	Interval time.Duration
	// Spray also probes ports +1..+Spray of each candidate, for a peer
	// behind a NAT that gives each new flow the next port (sequential
	// symmetric). At most MaxSpray.
	Spray int
	// Linger bounds how long a side that has finished keeps answering, so
	// that its peer finishes too; 2*Interval if zero.
	Linger time.Duration
	Logger *slog.Logger
}

// received is an authenticated probe and where it came from.
type received struct {
	p    packet
	from netip.AddrPort
}

// UDP punches a path to a peer that runs UDP at the same time with the same
// secret, probing each of its candidate addresses (and Spray predicted
// ports past each) every round until a probe of ours is answered. It
// returns the peer's address that answered: the one to send to from now
// on, which may be none of the candidates (a symmetric NAT's new mapping).
// It fails with ErrNoPath when ctx ends first.
func UDP(ctx context.Context, conn Conn, peer []netip.AddrPort, secret []byte, o Options) (netip.AddrPort, error) {
	if len(secret) < MinSecret {
		return netip.AddrPort{}, ErrShortSecret
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Linger <= 0 {
		o.Linger = 2 * o.Interval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	t := newTargets(peer, min(max(o.Spray, 0), MaxSpray))
	if len(t.list) == 0 {
		return netip.AddrPort{}, ErrNoCandidates
	}
	secret = append([]byte(nil), secret...)
	s := &session{conn: conn, secret: secret, targets: t, log: o.Logger,
		recv: make(chan received, 64), replied: map[netip.AddrPort]time.Time{}}
	_, _ = rand.Read(s.me[:])

	remove := conn.Route(IsProbe, func(b []byte, from netip.AddrPort) {
		p, ok := decode(secret, b)
		if !ok {
			return
		}
		select {
		case s.recv <- received{p, from}:
		default: // a flood of valid probes: the ones queued will do
		}
	})
	defer remove()

	got, err := s.punch(ctx, o.Interval)
	if err != nil {
		return netip.AddrPort{}, err
	}
	s.linger(ctx, got, o.Linger)
	return got, nil
}

// session is one side of one punch.
type session struct {
	conn    Conn
	secret  []byte
	targets *targets
	log     *slog.Logger
	recv    chan received
	me      nonce // our nonce
	heard   nonce // the peer's nonce, zero until heard
	peerEnd bool  // the peer said it has finished
	replied map[netip.AddrPort]time.Time
}

// punch probes every target each round until a probe echoing our nonce
// arrives, and returns where it came from.
func (s *session) punch(ctx context.Context, interval time.Duration) (netip.AddrPort, error) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	rounds := 0
	for {
		select {
		case <-ctx.Done():
			return netip.AddrPort{}, fmt.Errorf("%w after %d rounds to %d addresses: %w", ErrNoPath, rounds, len(s.targets.list), ctx.Err())
		case <-timer.C:
			rounds++
			msg := encode(s.secret, packet{nonce: s.me, echo: s.heard})
			for _, to := range s.targets.list {
				s.send(msg, to)
			}
			timer.Reset(jitter(interval))
		case r := <-s.recv:
			if !s.take(r) {
				continue
			}
			if r.p.echo == s.me {
				s.log.Debug("punched", "peer", r.from, "rounds", rounds)
				return r.from, nil
			}
			s.answer(r.from, false)
		}
	}
}

// take records an authenticated probe; false means ignore it (our own probe
// sent back to us).
func (s *session) take(r received) bool {
	if r.p.nonce == s.me {
		return false
	}
	s.heard = r.p.nonce
	s.peerEnd = s.peerEnd || r.p.done
	s.targets.learn(r.from)
	return true
}

// answer sends the peer, at once, a probe echoing its nonce, unless one
// went to the same address very recently.
func (s *session) answer(to netip.AddrPort, done bool) {
	now := time.Now()
	if last, ok := s.replied[to]; ok && now.Sub(last) < replyGap {
		return
	}
	if len(s.replied) >= maxTargets {
		clear(s.replied)
	}
	s.replied[to] = now
	s.send(encode(s.secret, packet{done: done, nonce: s.me, echo: s.heard}), to)
}

// linger tells the peer at to that we have finished, and keeps answering
// its probes until it says it has finished too, or for at most d.
func (s *session) linger(ctx context.Context, to netip.AddrPort, d time.Duration) {
	clear(s.replied)
	s.answer(to, true)
	timer := time.NewTimer(d)
	defer timer.Stop()
	for !s.peerEnd {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			return
		case r := <-s.recv:
			if s.take(r) && r.p.echo != s.me {
				s.answer(r.from, true)
			}
		}
	}
}

func (s *session) send(b []byte, to netip.AddrPort) {
	if _, err := s.conn.WriteToUDPAddrPort(b, to); err != nil {
		s.log.Debug("punch probe", "to", to, "err", err)
	}
}

// jitter is d scaled by a uniform factor in [2/3, 4/3].
func jitter(d time.Duration) time.Duration {
	return d*2/3 + time.Duration(mrand.Int64N(int64(d*2/3)+1))
}

// targets is the bounded, duplicate-free list of addresses probed each round.
type targets struct {
	list   []netip.AddrPort
	seen   map[netip.AddrPort]bool
	learnt int
}

// newTargets takes up to MaxCandidates usable candidates, then spray
// predicted ports past each.
func newTargets(peer []netip.AddrPort, spray int) *targets {
	t := &targets{seen: map[netip.AddrPort]bool{}}
	var cands []netip.AddrPort
	for _, c := range peer {
		c = netip.AddrPortFrom(c.Addr().Unmap(), c.Port())
		if len(cands) < MaxCandidates && usable(c) && !t.seen[c] {
			cands = append(cands, c)
			t.add(c)
		}
	}
	for _, c := range cands {
		for i := 1; i <= spray && int(c.Port())+i <= 0xffff; i++ {
			t.add(netip.AddrPortFrom(c.Addr(), c.Port()+uint16(i)))
		}
	}
	return t
}

// learn adds the source of a probe (a symmetric NAT's mapping toward us).
func (t *targets) learn(a netip.AddrPort) {
	if !t.seen[a] && t.learnt < maxLearnt {
		t.learnt++
		t.add(a)
	}
}

func (t *targets) add(a netip.AddrPort) {
	if !t.seen[a] && len(t.list) < maxTargets {
		t.seen[a] = true
		t.list = append(t.list, a)
	}
}

// usable reports whether a could be a peer: a unicast address and a port.
func usable(a netip.AddrPort) bool {
	ip := a.Addr()
	return a.Port() != 0 && ip.IsValid() && !ip.IsUnspecified() && !ip.IsMulticast() &&
		ip != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}
