package rate

import (
	"math"
	"time"
)

// Bitrate limits and the start, in bits per second.
const (
	MinBitrate   = 16000 // the floor, with delay congestion and no loss
	MaxBitrate   = 64000 // the ceiling
	StartBitrate = 32000 // a new Controller's bitrate when Config.Bitrate is zero
)

// Limits on the loss percent handed to the encoder.
const (
	MaxLossPercent    = 30 // the most FEC asked for, whatever the loss
	MinRecentLossPerc = 2  // the least asked for while loss was seen within lossMemory
)

// The policy's tuning.
const (
	lossDecrease  = 0.10                   // loss above this cuts the bitrate by half the loss
	lossHold      = 0.02                   // loss above this (up to lossDecrease) holds the bitrate
	delayDecrease = 0.85                   // factor for a steep climb in round-trip time
	climbMin      = 40 * time.Millisecond  // a climb between reports at least this steep is congestion
	raisedMin     = 60 * time.Millisecond  // round-trip time this far above its floor holds the bitrate
	decreaseGap   = 300 * time.Millisecond // at least this (or one round trip) between two cuts
	increaseFast  = 4000                   // b/s per second on a path clean for recoverAfter
	increaseSlow  = 1000                   // b/s per second within recoverAfter of congestion
	holdAfter     = 3 * time.Second        // no increase this soon after congestion
	recoverAfter  = 30 * time.Second       // congestion this long ago no longer slows the increase
	maxStep       = 2 * time.Second        // the most time one report's increase counts
	lossMemory    = 30 * time.Second       // loss this recent keeps FEC on
	lossHalfLife  = 10 * time.Second       // the remembered peak loss halves in this time
	rttWindow     = 15 * time.Second       // the floor of round-trip time is the least over 1-2 windows
	maxDelay      = 10 * time.Second       // round-trip times and jitter are capped at this
)

// Config sets up a Controller; the zero value is sound.
type Config struct {
	// Bitrate is the starting bitrate in b/s, StartBitrate if zero,
	// clamped to MinBitrate..MaxBitrate.
	Bitrate int
}

// Report is what the receiver measured over its last report interval.
type Report struct {
	LossFraction float64       // packets lost / packets expected, 0..1
	RTT          time.Duration // round-trip time; zero if not measured
	Jitter       time.Duration // interarrival jitter
}

// Decision is what the sender sets on its encoder.
type Decision struct {
	Bitrate     int // target bitrate in b/s, within MinBitrate..MaxBitrate
	LossPercent int // expected loss for the encoder's FEC, 0..MaxLossPercent
}

// Controller adapts the bitrate and FEC to the receiver's reports. It is
// not safe for concurrent use: one goroutine owns it.
type Controller struct {
	bitrate      float64
	last         time.Time // of the previous report; zero before the first
	lastCut      time.Time // of the last multiplicative decrease
	congestedAt  time.Time // of the last report that showed congestion
	lossAt       time.Time // of the last report with any loss
	lossPeak     float64   // the highest recent loss, decaying
	prevRTT      time.Duration
	rttFloor     rttFloor
	everCongest  bool
	everLost     bool
	lastDecision Decision
}

// New makes a Controller at the configured starting bitrate with no FEC.
func New(c Config) *Controller {
	if c.Bitrate == 0 {
		c.Bitrate = StartBitrate
	}
	b := min(max(c.Bitrate, MinBitrate), MaxBitrate)
	return &Controller{bitrate: float64(b), lastDecision: Decision{Bitrate: b}}
}

// Decision returns the last decision made (the starting bitrate and no FEC
// before the first report).
func (c *Controller) Decision() Decision { return c.lastDecision }

// Update takes the receiver's report, received at now, and returns the
// bitrate and loss percent to set on the encoder.
func (c *Controller) Update(r Report, now time.Time) Decision {
	loss, rtt, jitter := sanitize(r)
	var dt time.Duration
	if !c.last.IsZero() && now.After(c.last) {
		dt = min(now.Sub(c.last), maxStep)
	}
	if c.last.IsZero() || now.After(c.last) {
		c.last = now
	}

	// Delay: a steep climb is congestion, a raised level holds.
	climb, raised := false, false
	if rtt > 0 {
		floor := c.rttFloor.add(rtt, now)
		noise := 2 * jitter
		climb = c.prevRTT > 0 && rtt-c.prevRTT >= max(climbMin, noise)
		raised = rtt-floor >= max(raisedMin, noise, floor/2)
		c.prevRTT = rtt
	}

	factor := 1.0
	if loss > lossDecrease {
		factor = 1 - loss/2
	}
	if climb {
		factor = min(factor, delayDecrease)
	}
	congested := factor < 1 || loss > lossHold || raised
	if congested {
		c.congestedAt, c.everCongest = now, true
	}
	switch {
	case factor < 1:
		if c.lastCut.IsZero() || now.Sub(c.lastCut) >= max(decreaseGap, rtt) || now.Before(c.lastCut) {
			c.bitrate *= factor
			c.lastCut = now
		}
	case !congested && (!c.everCongest || now.Sub(c.congestedAt) >= holdAfter):
		rate := float64(increaseFast)
		if c.everCongest && now.Sub(c.congestedAt) < recoverAfter {
			rate = increaseSlow
		}
		c.bitrate += rate * dt.Seconds()
	}
	c.bitrate = min(max(c.bitrate, MinBitrate), MaxBitrate)

	d := Decision{Bitrate: int(c.bitrate), LossPercent: c.lossPercent(loss, dt, now)}
	if d.LossPercent > 0 {
		// Keep FEC working: up to its floor, and narrow band below full band.
		if d.Bitrate < FECMinBitrate {
			d.Bitrate, c.bitrate = FECMinBitrate, FECMinBitrate
		}
		if d.Bitrate < FECFullBandMin {
			d.LossPercent = max(d.LossPercent, FECNarrowLoss)
		}
	}
	c.lastDecision = d
	return d
}

// lossPercent remembers the peak loss, decaying, and turns it into the
// encoder's loss percent: measured loss rounded up, at least
// MinRecentLossPerc while loss is recent, at most MaxLossPercent.
func (c *Controller) lossPercent(loss float64, dt time.Duration, now time.Time) int {
	c.lossPeak *= math.Exp2(-dt.Seconds() / lossHalfLife.Seconds())
	if loss > 0 {
		c.lossPeak = max(c.lossPeak, loss)
		c.lossAt, c.everLost = now, true
	}
	if !c.everLost || now.Sub(c.lossAt) >= lossMemory {
		c.lossPeak = 0
		return 0
	}
	p := int(math.Ceil(c.lossPeak*100 - 1e-6))
	return min(max(p, MinRecentLossPerc), MaxLossPercent)
}

// sanitize brings a report's fields into range: loss within 0..1 (zero if
// not a number), times within 0..maxDelay.
func sanitize(r Report) (loss float64, rtt, jitter time.Duration) {
	loss = r.LossFraction
	if math.IsNaN(loss) {
		loss = 0
	}
	loss = min(max(loss, 0), 1)
	return loss, min(max(r.RTT, 0), maxDelay), min(max(r.Jitter, 0), maxDelay)
}
