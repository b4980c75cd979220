package jitter

import "time"

// Stats counts what a Buffer did. These always hold:
//
//	Received == Accepted + Late + Duplicate + TooFar + Invalid
//	Accepted == Played + Discarded + Buffered
//	Pops     == Played + RecoveredFEC + Concealed + Silence + Held + Buffering
type Stats struct {
	Received  uint64 // packets pushed
	Accepted  uint64 // packets stored in the ring
	Late      uint64 // dropped: their slot had already been played
	Duplicate uint64 // dropped: already buffered or played
	TooFar    uint64 // dropped: beyond the ring
	Invalid   uint64 // dropped: empty, too big, off the frame grid, or a slot already taken by another packet

	Pops         uint64 // frames asked for
	Played       uint64 // Normal frames
	RecoveredFEC uint64 // FEC frames
	Concealed    uint64 // Conceal frames for lost packets
	Silence      uint64 // Silence frames for DTX gaps and underruns (not loss)
	Held         uint64 // frames inserted to grow the delay
	Buffering    uint64 // frames before playout started (at the start and after a resync)

	Skipped   uint64 // slots dropped to shrink the delay
	Discarded uint64 // accepted packets never played: skipped, or flushed by a resync
	Lost      uint64 // sequence numbers never played (lost, or late), counted when the packet after them is played or skipped
	Resyncs   uint64 // times the buffer re-anchored on a new stream (a timestamp jump or a stall)
	SeqJumps  uint64 // sequence numbers that jumped backwards or further than the timestamps (no loss counted)

	Buffered    int           // packets in the ring
	Depth       time.Duration // audio from the slot being played to the last buffered packet
	TargetDelay time.Duration // the delay playout aims at
	Delay       time.Duration // how long after the fastest recent arrival the last Pop played its slot
	MeanDelay   time.Duration // the mean of Delay over every slot played
	JitterP95   time.Duration // the measured quantile of relative arrival delay (Config.Quantile)
}

// Stats returns the counters and the current state.
func (b *Buffer) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.st
	s.Buffered = b.count
	if b.count > 0 {
		s.Depth = time.Duration(b.hiSlot-b.playSlot+1) * b.cfg.FrameDur
	}
	s.TargetDelay = b.target
	s.Delay = b.lastDelay
	if n := s.Played + s.RecoveredFEC + s.Concealed + s.Silence; n > 0 {
		s.MeanDelay = b.delaySum / time.Duration(n)
	}
	s.JitterP95 = b.hist.quantile(b.cfg.Quantile)
	return s
}
