package jitter

import (
	"cmp"
	"slices"
	"time"
)

// simEpoch is the wall time a simulation starts at.
var simEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Simulate plays a trace through a new Buffer (see Play) and returns its Stats.
func Simulate(trace []Arrival, cfg Config) Stats { return Play(trace, cfg, nil) }

// Play pushes each arrival of trace at its time and pops a frame every
// FrameDur from time zero until MaxDelay plus two frames after the last
// arrival; an arrival at the instant of a Pop is pushed first. frame, if not
// nil, sees every frame with the time it was popped. The trace need not be
// sorted.
func Play(trace []Arrival, cfg Config, frame func(at time.Duration, f Frame)) Stats {
	if !slices.IsSortedFunc(trace, byTime) {
		trace = slices.Clone(trace)
		slices.SortStableFunc(trace, byTime)
	}
	b := New(cfg)
	c := b.cfg
	var end time.Duration
	if len(trace) > 0 {
		end = trace[len(trace)-1].At + c.MaxDelay + 2*c.FrameDur
	}
	i := 0
	for t := time.Duration(0); t <= end; t += c.FrameDur {
		for ; i < len(trace) && trace[i].At <= t; i++ {
			b.Push(trace[i].Packet, simEpoch.Add(trace[i].At))
		}
		f := b.Pop(simEpoch.Add(t))
		if frame != nil {
			frame(t, f)
		}
	}
	return b.Stats()
}

// byTime orders arrivals by time.
func byTime(a, b Arrival) int { return cmp.Compare(a.At, b.At) }
