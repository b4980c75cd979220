package jitter

import (
	"sync"
	"time"
)

// resyncRun is how many consecutive, mutually consistent packets outside the
// ring make the buffer follow them (a sender restart, or a clock that ran
// away); one stray packet is only dropped.
const resyncRun = 3

// Buffer is an adaptive jitter buffer for one incoming audio stream. It is
// safe for concurrent use: every method takes b.mu briefly and nothing else.
// All fields below mu are owned by whoever holds it.
type Buffer struct {
	mu sync.Mutex

	cfg   Config
	slots []slot // the ring: slot s lives at index s mod len(slots)
	data  []byte // len(slots) * MaxPayload bytes of payload storage
	out   []byte // the payload of the frame Pop last returned
	hist  histogram
	idle  time.Duration // no packet accepted for this long: the next stray packet resyncs at once
	st    Stats

	synced   bool      // a packet has anchored the stream
	started  bool      // the initial delay has passed and slots are being played
	epoch    time.Time // arrival of the first packet; the origin of every measure of time
	baseTS   uint32    // timestamp of slot 0
	playSlot int64     // the next slot Pop plays
	hiSlot   int64     // the highest slot holding a packet (when count > 0)
	count    int       // packets in the ring

	transit minWindow     // minimum of (arrival - send time): the fastest path
	rebased time.Duration // shift of the relative delays not yet applied to the histogram (under a bucket)
	anchor  time.Duration // a fixed buffer's one measure of the path: the first packet's transit
	popOff  minWindow     // minimum of (Pop time - popN frames): the playout clock's phase
	popN    int64         // Pops since the stream was anchored
	lastPop time.Time     // when Pop was last called

	haveLast bool   // a packet has been consumed since the last resync
	lastSeq  uint16 // sequence number of the last packet consumed (played or skipped)
	lastSlot int64  // its slot
	lossRun  int64  // slots played as lost since then
	seen     uint64 // bit i: packet lastSeq-i was consumed (to tell a duplicate from a late packet)

	target       time.Duration // the delay playout aims at
	lastDelay    time.Duration // the delay measured at the last Pop
	lastLate     time.Time     // arrival of the last late packet
	delaySum     time.Duration // the sum of the delays of the slots played
	floor        time.Duration // a lower bound on target raised at once by a late packet, decaying
	deficitSince int64         // popN when the delay first fell short of target; -1: it does not
	excessSince  int64         // popN when the delay first exceeded target by the skip margin; -1: it does not
	lastSkip     int64         // popN of the last skip

	lastAccept time.Time // arrival of the last accepted packet
	farRun     int       // consecutive packets outside the ring that follow each other
	farSeq     uint16    // the last of them
	farTS      uint32
}

// slot is one ring entry.
type slot struct {
	used bool
	seq  uint16
	ts   uint32
	n    int // payload length
}

// New makes a Buffer; every allocation it will ever need is made here.
func New(cfg Config) *Buffer {
	cfg = cfg.withDefaults()
	b := &Buffer{
		cfg:   cfg,
		slots: make([]slot, cfg.Slots),
		data:  make([]byte, cfg.Slots*cfg.MaxPayload),
		out:   make([]byte, cfg.MaxPayload),
		hist:  newHistogram(cfg.MaxDelay),
		idle:  max(2*cfg.MaxDelay, 500*time.Millisecond),
	}
	b.reset()
	return b
}

// Reset forgets the stream and the statistics, as if the Buffer were new.
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reset()
}

// reset is Reset with b.mu held.
func (b *Buffer) reset() {
	clear(b.slots)
	b.st = Stats{}
	b.synced, b.started = false, false
	b.count, b.playSlot, b.hiSlot, b.popN = 0, 0, 0, 0
	b.transit.reset()
	b.popOff.reset()
	b.forgetSeq()
	b.hist.reset(b.cfg.InitialDelay)
	b.target = b.cfg.InitialDelay
	if b.fixed() {
		b.target = time.Duration(b.cfg.Fixed) * b.cfg.FrameDur
	}
	b.floor, b.lastDelay, b.delaySum, b.lastLate = 0, 0, 0, time.Time{}
	b.deficitSince, b.excessSince, b.lastSkip = -1, -1, 0
	b.farRun = 0
}

// forgetSeq drops what is known about consumed sequence numbers.
func (b *Buffer) forgetSeq() {
	b.haveLast, b.lastSeq, b.lastSlot, b.lossRun, b.seen = false, 0, 0, 0, 0
}

// fixed reports whether the buffer never adapts.
func (b *Buffer) fixed() bool { return b.cfg.Fixed > 0 }

// Push hands the buffer a packet received at now. It reports false when the
// packet is dropped: late (its slot was already played), a duplicate, too far
// ahead for the ring, or malformed (empty, too big, or off the frame grid).
// Every drop is counted in Stats. The payload is copied.
func (b *Buffer) Push(p Packet, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.st.Received++
	if len(p.Payload) == 0 || len(p.Payload) > b.cfg.MaxPayload {
		b.st.Invalid++
		return false
	}
	if !b.synced {
		b.epoch = now
		b.resync(p, now)
		return true
	}
	fs := int64(b.cfg.FrameSamples)
	d := tsDiff(p.TS, b.tsOf(b.playSlot))
	if d%fs != 0 {
		return b.outOfRange(p, now, &b.st.Invalid)
	}
	off := d / fs
	s := b.playSlot + off
	n := int64(len(b.slots))
	switch {
	case off >= n:
		return b.outOfRange(p, now, &b.st.TooFar)
	case off < -n:
		return b.outOfRange(p, now, &b.st.Late)
	case off >= 0 && b.slots[b.idx(s)].used:
		if b.slots[b.idx(s)].seq == p.Seq {
			b.st.Duplicate++
		} else {
			b.st.Invalid++ // another packet already holds this slot
		}
		return false
	case off < 0 && b.consumed(p.Seq):
		b.st.Duplicate++
		return false
	}
	b.farRun = 0
	if off < 0 {
		// Before playout starts an earlier packet moves the start back,
		// as long as everything buffered still fits the ring.
		if b.started || b.haveLast || b.count > 0 && b.hiSlot-s >= n {
			b.measure(s, now, true)
			b.st.Late++
			return false
		}
		b.playSlot = s
	}
	b.measure(s, now, false)
	b.store(s, p, now)
	return true
}

// outOfRange handles a packet that does not fit the stream: it is dropped
// and counted in drop, unless it is the third in a row of a new stream, and
// then the buffer resyncs on it. After a while with nothing accepted (a
// restart after a pause) one packet is enough, unless it is far behind: a
// stale packet must not take playout back in time.
func (b *Buffer) outOfRange(p Packet, now time.Time, drop *uint64) bool {
	fs := int64(b.cfg.FrameSamples)
	if d := tsDiff(p.TS, b.farTS); b.farRun > 0 && p.Seq == b.farSeq+1 &&
		d > 0 && d%fs == 0 && d/fs <= int64(len(b.slots)) {
		b.farRun++
	} else {
		b.farRun = 1
	}
	b.farSeq, b.farTS = p.Seq, p.TS
	if b.farRun >= resyncRun || drop != &b.st.Late && now.Sub(b.lastAccept) > b.idle {
		b.st.Resyncs++
		b.cfg.Log.Debug("jitter: resync", "seq", p.Seq, "ts", p.TS, "run", b.farRun)
		b.resync(p, now)
		return true
	}
	*drop++
	return false
}

// resync anchors the stream on p: what is buffered is discarded, and playout
// starts again after the target delay. The measured jitter is kept.
func (b *Buffer) resync(p Packet, now time.Time) {
	for i := range b.slots {
		if b.slots[i].used {
			b.slots[i].used = false
			b.st.Discarded++
		}
	}
	b.count = 0
	b.synced, b.started = true, false
	b.baseTS = p.TS
	b.playSlot, b.hiSlot = 0, 0
	b.transit.reset()
	b.rebased = 0
	// A fixed buffer is anchored on this packet alone, as ToxAV's:
	// playout starts Fixed frames after it and never moves.
	b.anchor = now.Sub(b.epoch)
	b.forgetSeq()
	b.farRun = 0
	b.deficitSince, b.excessSince = -1, -1
	b.measure(0, now, false)
	b.store(0, p, now)
}

// store copies p into slot s.
func (b *Buffer) store(s int64, p Packet, now time.Time) {
	i := b.idx(s)
	sl := &b.slots[i]
	sl.used, sl.seq, sl.ts, sl.n = true, p.Seq, p.TS, len(p.Payload)
	copy(b.data[i*b.cfg.MaxPayload:], p.Payload)
	if b.count == 0 || s > b.hiSlot {
		b.hiSlot = s
	}
	b.count++
	b.st.Accepted++
	b.lastAccept = now
}

// measure records the arrival of the packet for slot s: its delay beyond the
// fastest recent packet feeds the histogram, and the second late packet
// within a second raises the target at once to what would have been enough
// for it. A lone late packet is one glitch; chasing it would cost more
// (a held frame now and a skipped one later for every frame of its delay).
func (b *Buffer) measure(s int64, now time.Time, late bool) {
	transit := now.Sub(b.epoch) - time.Duration(s)*b.cfg.FrameDur
	before, had := b.transit.min(), b.transit.valid > 0
	b.transit.add(transit)
	fastest := b.transit.min()
	if had && fastest != before {
		b.rebase(fastest - before)
	}
	rel := transit - fastest
	b.hist.add(rel)
	if late && !b.fixed() {
		if b.lastLate != (time.Time{}) && now.Sub(b.lastLate) <= time.Second {
			b.floor = max(b.floor, rel)
			b.updateTarget()
		}
		b.lastLate = now
	}
}

// rebase keeps the relative delays consistent when the fastest recent
// transit moves by delta: the measured delays and the floor move the other
// way, so the target keeps meaning the same arrival times and only the
// jitter around the path's delay, not a change of the path itself, sets it.
func (b *Buffer) rebase(delta time.Duration) {
	b.rebased -= delta
	if n := int(b.rebased / histBucket); n != 0 {
		b.hist.shift(n)
		b.rebased -= time.Duration(n) * histBucket
	}
	b.floor = max(0, b.floor-delta)
	b.updateTarget()
}

// updateTarget recomputes the target delay of an adaptive buffer.
func (b *Buffer) updateTarget() {
	if b.fixed() {
		return
	}
	// One bucket above the quantile's bucket edge, so that the noise of
	// the estimate rarely leaves it short.
	t := max(b.hist.quantile(b.cfg.Quantile)+histBucket, b.floor)
	b.target = max(b.cfg.MinDelay, min(t, b.cfg.MaxDelay))
}

// consumed reports whether packet seq has already been played or skipped.
func (b *Buffer) consumed(seq uint16) bool {
	if !b.haveLast {
		return false
	}
	back := -seqDiff(seq, b.lastSeq)
	return back >= 0 && back < 64 && b.seen&(1<<back) != 0
}

// idx is the ring index of slot s.
func (b *Buffer) idx(s int64) int {
	n := int64(len(b.slots))
	return int((s%n + n) % n)
}

// tsOf is the timestamp of slot s.
func (b *Buffer) tsOf(s int64) uint32 {
	return b.baseTS + uint32(s)*b.cfg.FrameSamples
}
