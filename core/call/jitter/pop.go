package jitter

import "time"

// choice is what the slot being played holds, before any hold or skip.
type choice struct {
	kind Kind
	next int    // FEC: ring index of the next packet
	seq  uint16 // FEC, Conceal: the lost packet's sequence number
}

// Pop says what to play for the next slot; the playout clock calls it once
// per frame. Before the first packet, and until the initial delay has passed,
// it returns held Silence. An adaptive buffer may also hold (return a held
// Silence or Conceal without using up the slot) to grow its delay, or skip a
// slot to shrink it; it prefers to do both in silence.
func (b *Buffer) Pop(now time.Time) Frame {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.st.Pops++
	if !b.synced {
		b.st.Buffering++
		return Frame{Kind: Silence, Held: true}
	}
	if b.popN > 0 && now.Sub(b.lastPop) > 5*b.cfg.FrameDur {
		// The playout clock stopped for a while: its old phase is stale.
		b.popOff.reset()
	}
	b.lastPop = now
	b.popN++
	b.popOff.add(now.Sub(b.epoch) - time.Duration(b.popN)*b.cfg.FrameDur)
	if !b.fixed() {
		b.floor -= b.floor / 100 // a time constant of 100 frames (2 s)
		b.updateTarget()
	}
	d := b.delay()
	b.lastDelay = d
	if b.fixed() {
		// A fixed buffer's playout is anchored on its first packet.
		d = b.delayAfter(b.anchor)
	}
	if b.started && d > b.target+b.cfg.MaxDelay/2 {
		d = b.catchUp(d)
		b.lastDelay = b.delay()
	}
	if !b.started {
		if d < b.target {
			b.st.Buffering++
			return Frame{Kind: Silence, TS: b.tsOf(b.playSlot), Held: true}
		}
		b.started = true
	}
	c := b.classify()
	if !b.fixed() {
		if b.shouldHold(d, c.kind) {
			b.st.Held++
			f := Frame{Kind: Silence, TS: b.tsOf(b.playSlot), Held: true}
			if c.kind != Silence {
				f.Kind = Conceal
			}
			return f
		}
		if b.shouldSkip(d, c.kind) {
			b.skip(c)
			c = b.classify()
			b.lastDelay = b.delay()
		}
	}
	b.delaySum += b.lastDelay
	return b.play(c)
}

// catchUp jumps playout ahead when it has fallen further behind than any
// jitter explains (the playout clock stalled): the slots in between and
// their packets are dropped at once rather than one a second, and the
// sequence bookkeeping starts afresh. It returns the new delay.
func (b *Buffer) catchUp(d time.Duration) time.Duration {
	fd := b.cfg.FrameDur
	n := int64((d - b.target) / fd)
	to := b.playSlot + n
	fs := int64(b.cfg.FrameSamples)
	for i := range b.slots {
		sl := &b.slots[i]
		if sl.used && b.playSlot+tsDiff(sl.ts, b.tsOf(b.playSlot))/fs < to {
			sl.used = false
			b.count--
			b.st.Discarded++
		}
	}
	b.playSlot = to
	b.forgetSeq()
	b.st.Resyncs++
	b.cfg.Log.Debug("jitter: playout caught up", "slots", n)
	return d - time.Duration(n)*fd
}

// delay is how long after the fastest recent arrival of its packet the slot
// being played is played now. Both ends are smoothed minima, so neither the
// network's jitter nor the playout clock's own makes it jump.
func (b *Buffer) delay() time.Duration { return b.delayAfter(b.transit.min()) }

// delayAfter is how long after a packet with the given transit would have
// arrived the slot being played is played now.
func (b *Buffer) delayAfter(transit time.Duration) time.Duration {
	fd := b.cfg.FrameDur
	popAt := time.Duration(b.popN)*fd + b.popOff.min()
	return popAt - (time.Duration(b.playSlot)*fd + transit)
}

// shouldHold decides whether to insert a frame to grow the delay: at once in
// silence or when the delay is half a frame short, and in speech when it has
// been a quarter of a frame short for a second (less is not worth a glitch:
// the target is rounded up already).
func (b *Buffer) shouldHold(d time.Duration, k Kind) bool {
	deficit := b.target - d
	if deficit <= 0 {
		b.deficitSince = -1
		return false
	}
	if b.deficitSince < 0 {
		b.deficitSince = b.popN
	}
	fd := b.cfg.FrameDur
	return k == Silence || deficit >= fd/2 || deficit >= fd/4 && b.popN-b.deficitSince >= b.perSecond()
}

// shouldSkip decides whether to drop a slot to shrink the delay: only when
// the delay exceeds the target by one and a half frames, at most once a
// second, at once in silence and in speech after two seconds of excess.
func (b *Buffer) shouldSkip(d time.Duration, k Kind) bool {
	if d-b.target < b.cfg.FrameDur*5/4 {
		b.excessSince = -1
		return false
	}
	if b.excessSince < 0 {
		b.excessSince = b.popN
	}
	if b.popN-b.lastSkip < b.perSecond() {
		return false
	}
	return k == Silence || b.popN-b.excessSince >= 2*b.perSecond()
}

// perSecond is the number of Pops in a second.
func (b *Buffer) perSecond() int64 { return int64(time.Second / b.cfg.FrameDur) }

// classify says what the slot being played holds. An empty slot is a loss
// when the sequence numbers say that as many packets are missing before the
// next buffered one as there are empty slots left (the first slots of a
// longer gap are DTX silence); it is FEC when that next packet is the very
// next slot. With nothing buffered after it, an empty slot is Silence: a DTX
// gap and an underrun look the same until a packet comes.
func (b *Buffer) classify() choice {
	if b.slots[b.idx(b.playSlot)].used {
		return choice{kind: Normal}
	}
	if !b.haveLast || b.count == 0 {
		return choice{kind: Silence}
	}
	var k int64
	for k = 1; b.playSlot+k <= b.hiSlot; k++ {
		if b.slots[b.idx(b.playSlot+k)].used {
			break
		}
	}
	if b.playSlot+k > b.hiSlot {
		return choice{kind: Silence}
	}
	nx := b.idx(b.playSlot + k)
	next := b.slots[nx]
	sd := seqDiff(next.seq, b.lastSeq)
	missing := int64(sd) - 1
	if sd <= 0 || missing > b.playSlot+k-b.lastSlot-1 {
		return choice{kind: Silence} // not the same sequence: a restart, not a loss
	}
	if missing-b.lossRun < k {
		return choice{kind: Silence}
	}
	c := choice{kind: Conceal, seq: next.seq - uint16(k)}
	if k == 1 && !b.cfg.NoFEC {
		c.kind, c.next = FEC, nx
	}
	return c
}

// play returns c as the frame for the slot being played and moves on.
func (b *Buffer) play(c choice) Frame {
	f := Frame{Kind: c.kind, TS: b.tsOf(b.playSlot)}
	switch c.kind {
	case Normal:
		i := b.idx(b.playSlot)
		sl := b.slots[i]
		f.Payload = b.out[:copy(b.out, b.payload(i))]
		f.Seq = sl.seq
		b.consume(i)
		b.st.Played++
	case FEC:
		f.Payload = b.out[:copy(b.out, b.payload(c.next))]
		f.Seq = c.seq
		b.lossRun++
		b.st.RecoveredFEC++
	case Conceal:
		f.Seq = c.seq
		b.lossRun++
		b.st.Concealed++
	default:
		b.st.Silence++
	}
	b.playSlot++
	return f
}

// skip drops the slot being played, and its packet if it holds one.
func (b *Buffer) skip(c choice) {
	if i := b.idx(b.playSlot); b.slots[i].used {
		b.consume(i)
		b.st.Discarded++
	} else if c.kind == FEC || c.kind == Conceal {
		b.lossRun++
	}
	b.st.Skipped++
	b.lastSkip = b.popN
	b.excessSince = -1
	b.playSlot++
}

// consume takes the packet at ring index i (the slot being played) out of
// the ring and counts the sequence numbers missing before it as lost.
func (b *Buffer) consume(i int) {
	sl := &b.slots[i]
	sd := seqDiff(sl.seq, b.lastSeq)
	switch {
	case !b.haveLast:
		b.seen = 1
	case sd <= 0 || int64(sd)-1 > b.playSlot-b.lastSlot-1:
		b.st.SeqJumps++ // more missing than slots passed, or backwards: a restart
		b.seen = 1
	default:
		b.st.Lost += uint64(sd - 1)
		if sd >= 64 {
			b.seen = 1
		} else {
			b.seen = b.seen<<sd | 1
		}
	}
	b.haveLast, b.lastSeq, b.lastSlot, b.lossRun = true, sl.seq, b.playSlot, 0
	sl.used = false
	b.count--
}

// payload is the stored payload at ring index i.
func (b *Buffer) payload(i int) []byte {
	o := i * b.cfg.MaxPayload
	return b.data[o : o+b.slots[i].n]
}
