// Package memnet is an in-memory network and fake clock for the overlay: a
// discrete-event simulator that runs tens of thousands of real overlay.Node
// values in one goroutine, deterministically for a given seed.
//
// It must never be used outside tests and the simulator, and never start a
// goroutine: everything happens inside Run.
package memnet

import (
	"container/heap"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"time"

	"tincan/core/overlay"
)

// Options configure a Sim.
type Options struct {
	Seed       uint64
	MinLatency time.Duration // one-way latency of a link, from MinLatency
	MaxLatency time.Duration // to MaxLatency, fixed per pair of hosts
	FailDelay  time.Duration // a failed delivery is reported after this
	Start      time.Time     // the fake clock's start
	// Codec encodes every message on send and decodes it on delivery, so
	// tests exercise the wire format with real traffic.
	Codec bool
}

// Sim is the event loop: the fake clock, the network and the hosts.
type Sim struct {
	opt    Options
	start  time.Time
	now    int64 // nanoseconds since start
	q      calendar
	hosts  []hostState
	byAddr map[uint64]int32 // addrKey -> host
	rng    *rand.Rand
	reader *rand.ChaCha8
	sent   [overlay.NumTypes]uint64
	events uint64
	onSend func(from, to overlay.Peer, m overlay.Message)
	err    error
}

type hostState struct {
	peer   overlay.Peer
	h      overlay.Handler
	alive  bool
	offset time.Duration // this host's clock error
}

// New returns an empty simulation.
func New(o Options) *Sim {
	if o.MinLatency <= 0 {
		o.MinLatency = 10 * time.Millisecond
	}
	if o.MaxLatency < o.MinLatency {
		o.MaxLatency = max(o.MinLatency, 80*time.Millisecond)
	}
	if o.FailDelay <= 0 {
		o.FailDelay = 200 * time.Millisecond
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 1, 0, 20, 0, 0, time.UTC)
	}
	var seed [32]byte
	for i := range 4 {
		seed[i*8] = byte(o.Seed >> (8 * i))
	}
	seed[31] = 0x5a
	return &Sim{
		opt:    o,
		start:  o.Start,
		q:      calendar{slots: make(map[int64][]event)},
		byAddr: make(map[uint64]int32),
		rng:    rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		reader: rand.NewChaCha8(seed),
	}
}

// Rand is the simulation's deterministic source for drivers.
func (s *Sim) Rand() *rand.Rand { return s.rng }

// Reader is a deterministic byte stream for nodes' Config.Rand.
func (s *Sim) Reader() io.Reader { return s.reader }

// Now returns the fake clock's time.
func (s *Sim) Now() time.Time { return s.start.Add(time.Duration(s.now)) }

// Sent returns how many messages of each type were sent so far.
func (s *Sim) Sent() [overlay.NumTypes]uint64 { return s.sent }

// Events returns how many events ran so far.
func (s *Sim) Events() uint64 { return s.events }

// Err returns the first codec error seen (with Options.Codec).
func (s *Sim) Err() error { return s.err }

// OnSend installs a hook called for every message sent by a live host.
func (s *Sim) OnSend(f func(from, to overlay.Peer, m overlay.Message)) { s.onSend = f }

// Host is one node's attachment: its Network and its Clock.
type Host struct {
	s   *Sim
	idx int32
}

// addrKey packs an IPv4 address and port into a map key; the simulated
// network is IPv4 only.
func addrKey(a netip.AddrPort) (uint64, bool) {
	ip := a.Addr().Unmap()
	if !ip.Is4() {
		return 0, false
	}
	v := ip.As4()
	return uint64(v[0])<<40 | uint64(v[1])<<32 | uint64(v[2])<<24 | uint64(v[3])<<16 | uint64(a.Port()), true
}

// InUse reports whether a host was ever added at a.
func (s *Sim) InUse(a netip.AddrPort) bool {
	k, ok := addrKey(a)
	_, used := s.byAddr[k]
	return ok && used
}

// AddHost adds a live host for peer, whose IPv4 address must be new.
func (s *Sim) AddHost(p overlay.Peer) (*Host, error) {
	k, ok := addrKey(p.Addr)
	if !ok {
		return nil, fmt.Errorf("memnet: address %s is not IPv4", p.Addr)
	}
	if _, dup := s.byAddr[k]; dup {
		return nil, fmt.Errorf("memnet: address %s in use", p.Addr)
	}
	idx := int32(len(s.hosts))
	s.hosts = append(s.hosts, hostState{peer: p, alive: true})
	s.byAddr[k] = idx
	return &Host{s: s, idx: idx}, nil
}

// Attach sets the handler the host's messages go to.
func (h *Host) Attach(hd overlay.Handler) { h.s.hosts[h.idx].h = hd }

// Peer returns the host's GUID and address.
func (h *Host) Peer() overlay.Peer { return h.s.hosts[h.idx].peer }

// Alive reports whether the host has not been killed.
func (h *Host) Alive() bool { return h.s.hosts[h.idx].alive }

// Kill takes the host off the network without a word: its pending timers
// never fire, messages to it fail, and its handler is released.
func (h *Host) Kill() {
	st := &h.s.hosts[h.idx]
	st.alive = false
	st.h = nil
}

// Now returns the fake clock's time, off by the host's clock error.
func (h *Host) Now() time.Time { return h.s.Now().Add(h.s.hosts[h.idx].offset) }

// SetClockError makes the host's clock read d ahead of the simulation's
// (behind, for negative d). Timers still run on simulation time.
func (h *Host) SetClockError(d time.Duration) { h.s.hosts[h.idx].offset = d }

// AfterFunc schedules f on the fake clock; it never runs once the host is dead.
func (h *Host) AfterFunc(d time.Duration, f func()) overlay.Timer {
	return h.s.schedule(d, f, h.idx)
}

// Send queues m for delivery after the pair's latency, or reports it
// undeliverable after FailDelay when no live host with to's GUID has to's
// address.
func (h *Host) Send(to overlay.Peer, m overlay.Message) {
	s := h.s
	if !s.hosts[h.idx].alive {
		return
	}
	s.sent[m.Type()]++
	if s.onSend != nil {
		s.onSend(s.hosts[h.idx].peer, to, m)
	}
	k, _ := addrKey(to.Addr)
	idx, ok := s.byAddr[k]
	if !ok || !s.hosts[idx].alive || (!to.GUID.IsZero() && s.hosts[idx].peer.GUID != to.GUID) {
		s.push(s.now+int64(s.opt.FailDelay), event{kind: evFailed, to: h.idx, msg: &failed{to: to, m: m}})
		return
	}
	if s.opt.Codec {
		b, err := overlay.Encode(m)
		if err != nil {
			s.fail(fmt.Errorf("memnet: encode %s: %w", m.Type(), err))
			return
		}
		m = wireBytes(b)
	}
	s.push(s.now+int64(s.latency(h.idx, idx)), event{kind: evDeliver, zeroGUID: to.GUID.IsZero(), from: h.idx, to: idx, msg: m})
}

func (s *Sim) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// latency is fixed per ordered pair of hosts.
func (s *Sim) latency(a, b int32) time.Duration {
	x := uint64(a)<<32 | uint64(uint32(b))
	x ^= s.opt.Seed
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	x ^= x >> 31
	span := uint64(s.opt.MaxLatency-s.opt.MinLatency)/uint64(time.Millisecond) + 1
	return s.opt.MinLatency + time.Duration(x%span)*time.Millisecond
}

// wireBytes is an encoded message in flight (Options.Codec).
type wireBytes []byte

func (wireBytes) Type() overlay.Type { return 0 }

// failed is a message that could not be delivered, on its way back.
type failed struct {
	to overlay.Peer
	m  overlay.Message
}

func (*failed) Type() overlay.Type { return 0 }

// Event kinds.
const (
	evDeliver uint8 = iota
	evFailed
	evTimer
)

type event struct {
	kind     uint8
	zeroGUID bool // the sender did not pin the receiver's GUID
	from     int32
	to       int32
	msg      overlay.Message
	tm       *timer
}

type timer struct {
	f     func()
	host  int32 // -1: a driver's timer
	state uint8 // 0 pending, 1 fired, 2 stopped
}

// Stop cancels the timer if it has not fired.
func (t *timer) Stop() bool {
	if t.state != 0 {
		return false
	}
	t.state = 2
	return true
}

func (s *Sim) schedule(d time.Duration, f func(), host int32) *timer {
	t := &timer{f: f, host: host}
	s.push(s.now+int64(max(d, 0)), event{kind: evTimer, tm: t})
	return t
}

// At runs f at time t (now if t is past).
func (s *Sim) At(t time.Time, f func()) { s.schedule(t.Sub(s.Now()), f, -1) }

// After runs f after d.
func (s *Sim) After(d time.Duration, f func()) overlay.Timer { return s.schedule(d, f, -1) }

// push queues e at the millisecond tick at or after nanosecond time at.
func (s *Sim) push(at int64, e event) {
	tick := (at + int64(time.Millisecond) - 1) / int64(time.Millisecond)
	s.q.push(tick, e)
}

// RunFor advances the clock by d, running every event due.
func (s *Sim) RunFor(d time.Duration) { s.RunUntil(s.Now().Add(d)) }

// RunUntil advances the clock to t, running every event due by then.
func (s *Sim) RunUntil(t time.Time) {
	end := int64(t.Sub(s.start))
	endTick := end / int64(time.Millisecond)
	for {
		tick, ok := s.q.peek()
		if !ok || tick > endTick {
			break
		}
		evs := s.q.pop()
		s.now = max(s.now, tick*int64(time.Millisecond))
		for i := range evs {
			s.run(&evs[i])
			evs[i] = event{}
		}
		s.q.recycle(evs)
	}
	s.now = max(s.now, end)
}

// Idle reports whether nothing is queued.
func (s *Sim) Idle() bool { return s.q.n == 0 }

func (s *Sim) run(e *event) {
	s.events++
	switch e.kind {
	case evTimer:
		t := e.tm
		if t.state != 0 {
			return
		}
		t.state = 1
		if t.host >= 0 && !s.hosts[t.host].alive {
			return
		}
		t.f()
	case evDeliver:
		dst := &s.hosts[e.to]
		if !dst.alive {
			if s.hosts[e.from].alive {
				to := dst.peer
				if e.zeroGUID {
					to.GUID = overlay.GUID{}
				}
				s.push(s.now+int64(s.opt.FailDelay), event{kind: evFailed, to: e.from,
					msg: &failed{to: to, m: e.msg}})
			}
			return
		}
		m := e.msg
		if b, ok := m.(wireBytes); ok {
			var err error
			if m, err = overlay.Decode(b); err != nil {
				s.fail(fmt.Errorf("memnet: decode: %w", err))
				return
			}
		}
		if dst.h != nil {
			dst.h.HandleMessage(s.hosts[e.from].peer, m)
		}
	case evFailed:
		src := &s.hosts[e.to]
		if !src.alive || src.h == nil {
			return
		}
		f := e.msg.(*failed)
		m := f.m
		if b, ok := m.(wireBytes); ok {
			m, _ = overlay.Decode(b)
		}
		src.h.HandleUndeliverable(f.to, m)
	}
}

// calendar is the event queue: events grouped by millisecond tick, first in
// first out within a tick, with a heap of the ticks that have events. There
// are few distinct ticks in flight, so this beats one heap of all events.
type calendar struct {
	slots map[int64][]event
	ticks tickHeap
	free  [][]event
	n     int
}

func (c *calendar) push(tick int64, e event) {
	slot, ok := c.slots[tick]
	if !ok {
		heap.Push(&c.ticks, tick)
		if k := len(c.free); k > 0 {
			slot = c.free[k-1]
			c.free = c.free[:k-1]
		}
	}
	c.slots[tick] = append(slot, e)
	c.n++
}

func (c *calendar) peek() (int64, bool) {
	if len(c.ticks) == 0 {
		return 0, false
	}
	return c.ticks[0], true
}

func (c *calendar) pop() []event {
	tick := heap.Pop(&c.ticks).(int64)
	evs := c.slots[tick]
	delete(c.slots, tick)
	c.n -= len(evs)
	return evs
}

func (c *calendar) recycle(evs []event) {
	if cap(evs) <= 1<<12 && len(c.free) < 64 {
		c.free = append(c.free, evs[:0])
	}
}

type tickHeap []int64

func (h tickHeap) Len() int           { return len(h) }
func (h tickHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h tickHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *tickHeap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *tickHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
