package main

import (
	"math"
	"slices"
	"time"

	"tincan/core/call/media"
)

// median is the median of f over the calls (NaN for none).
func median(calls []callResult, f func(callResult) float64) float64 {
	v := make([]float64, 0, len(calls))
	for _, c := range calls {
		v = append(v, f(c))
	}
	return medianOf(v)
}

// medianOf is the median of v (NaN for none).
func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loopLag is the device-only loop's lag, in ms, the mean of both inputs.
func (r *results) loopLag() float64 { return (ms(r.Loop.Lag[0]) + ms(r.Loop.Lag[1])) / 2 }

// mouthToEar is the mean over both directions of the delay from one
// party's input file to the other's output file, in ms.
func mouthToEar(c callResult) float64 { return (ms(c.Dir[0].Delay) + ms(c.Dir[1].Delay)) / 2 }

// pipelineDelay is mouthToEar less the device-only loop's lag and the
// proxy's configured one-way delay: what the pipeline itself adds.
func (r *results) pipelineDelay(c callResult) float64 {
	return mouthToEar(c) - r.loopLag() - ms(netDelay)
}

// quality figures, the mean of both directions, re-aligned per window
// (wholeSTOI: one alignment for the whole file).
func stoi(c callResult) float64      { return (c.Dir[0].Report.STOI + c.Dir[1].Report.STOI) / 2 }
func segSNR(c callResult) float64    { return (c.Dir[0].Report.SegSNR + c.Dir[1].Report.SegSNR) / 2 }
func lsd(c callResult) float64       { return (c.Dir[0].Report.LSD + c.Dir[1].Report.LSD) / 2 }
func wholeSTOI(c callResult) float64 { return (c.Dir[0].Whole.STOI + c.Dir[1].Whole.STOI) / 2 }

// delayRange is the smallest and largest window delay of either direction,
// in ms less the loop's lag and the network's delay, as pipelineDelay.
func (r *results) delayRange(c callResult) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, d := range c.Dir {
		l, _, h := spread(d.Lags)
		lo, hi = min(lo, l+ms(d.Offset)), max(hi, h+ms(d.Offset))
	}
	sub := r.loopLag() + ms(netDelay)
	return lo - sub, hi - sub
}

// jitterSum sums a jitter.Stats counter over both receivers; exact is
// false when a receiver's close log was missing and the sum is estimated
// from call.Stats (Concealed, Recovered) or left out.
func jitterSum(c callResult, name string) (n float64, exact bool) {
	exact = true
	for _, d := range c.Dir {
		if v, ok := count(d.Jitter, name); ok {
			n += float64(v)
			continue
		}
		exact = false
		switch name {
		case "RecoveredFEC":
			n += float64(d.Final.Recovered)
		case "Concealed":
			// Concealed is a fraction of Played+RecoveredFEC+Concealed;
			// Received stands in for Played.
			if f := d.Final.Concealed; f < 1 {
				n += math.Round(f * float64(d.Final.Received+d.Final.Recovered) / (1 - f))
			}
		}
	}
	return n, exact
}

// countsExact reports whether every call's receivers logged their jitter
// counters, so that no count in the table is an estimate.
func (r *results) countsExact() bool {
	for _, calls := range append(slices.Clone(r.Tincan), r.ToxAV...) {
		for _, c := range calls {
			if _, ok := jitterSum(c, "Concealed"); !ok {
				return false
			}
		}
	}
	return true
}

// concealed and recovered are the frames concealed by PLC and rebuilt
// from FEC, both receivers summed.
func concealed(c callResult) float64 { n, _ := jitterSum(c, "Concealed"); return n }
func recovered(c callResult) float64 { n, _ := jitterSum(c, "RecoveredFEC"); return n }

// lost is the sequence numbers the receivers never played (lost or late).
func lost(c callResult) float64 { n, _ := jitterSum(c, "Lost"); return n }

// sealedOverhead is what sealing adds to each Opus frame on the wire.
var sealedOverhead = uint64(media.AudioSize(0)) // header, audio body fields, AEAD tag

// talkingRates are, in bits/s and the mean of both parties: the sealed
// audio packets' UDP payload while sending, and the Opus payload within.
func talkingRates(c callResult) (wire, opus float64) {
	for _, w := range c.Wire {
		if w.AudioPkts == 0 {
			continue
		}
		dur := float64(w.AudioPkts) * 0.020
		wire += float64(w.AudioBytes) * 8 / dur / 2
		opus += float64(w.AudioBytes-w.AudioPkts*sealedOverhead) * 8 / dur / 2
	}
	return wire, opus
}

// cpuPerCall is one party's share of the process's CPU during the call,
// % of one core: (process CPU% - idle CPU%) / 2.
func (r *results) cpuPerCall(c callResult) float64 { return (c.CPU - r.IdleCPU) / 2 }
