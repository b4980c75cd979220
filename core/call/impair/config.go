package impair

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// ErrNotLoopback is returned by New for a listen address or Target that is
// not a loopback address.
var ErrNotLoopback = errors.New("impair: not a loopback address")

// DefaultMaxQueue is the number of datagrams that may wait at once when
// Config.MaxQueue is zero.
const DefaultMaxQueue = 8192

// Config sets up a Proxy.
type Config struct {
	Listen     string         // loopback address A sends to; "127.0.0.1:0" if empty
	Target     netip.AddrPort // the loopback peer datagrams from A go to
	Seed       uint64         // seeds every random choice; same seed, same fates
	ToTarget   Impairment     // what happens to datagrams from A to Target
	FromTarget Impairment     // what happens to datagrams from Target to A
	MaxQueue   int            // datagrams waiting at once; DefaultMaxQueue if 0
	Logger     *slog.Logger   // nil discards
}

// Distribution is the shape of the jitter added to each datagram's delay.
type Distribution int

// The jitter distributions.
const (
	Uniform Distribution = iota // delay uniform in [Delay-Jitter, Delay+Jitter]
	Normal                      // delay normal with mean Delay and deviation Jitter
)

// String names the distribution.
func (d Distribution) String() string {
	switch d {
	case Uniform:
		return "uniform"
	case Normal:
		return "normal"
	}
	return fmt.Sprintf("Distribution(%d)", int(d))
}

// Impairment is what one direction does to its datagrams. The zero value
// forwards everything at once and in order.
type Impairment struct {
	Delay  time.Duration // one-way delay added to every datagram
	Jitter time.Duration // spread of the delay (see Dist); a delay never goes below 0
	Dist   Distribution  // shape of the jitter
	// Reorder lets a datagram overtake an earlier one when its jittered
	// delay is shorter. Without it a datagram waits for the one before,
	// as on a single path: jitter then bunches datagrams instead.
	Reorder bool
	Loss    float64         // independent (Bernoulli) loss probability, [0, 1]
	Burst   *GilbertElliott // burst loss on top of Loss; nil for none
}

// GilbertElliott is a two-state burst-loss model: each datagram first moves
// the chain (Good to Bad with GoodToBad, Bad to Good with BadToGood), then
// is lost with the new state's loss probability. With LossGood 0 and
// LossBad 1, bursts last 1/BadToGood datagrams on average and the long-run
// loss rate is GoodToBad/(GoodToBad+BadToGood).
type GilbertElliott struct {
	GoodToBad float64 // probability per datagram of entering the Bad state
	BadToGood float64 // probability per datagram of leaving the Bad state
	LossGood  float64 // loss probability in the Good state
	LossBad   float64 // loss probability in the Bad state
}

// BurstLoss is the Gilbert-Elliott model that loses every datagram in the
// Bad state and none in the Good one, with the given long-run loss rate in
// [0, 1) and mean burst length (in datagrams, at least 1).
func BurstLoss(rate, meanBurst float64) *GilbertElliott {
	r := 1 / meanBurst
	return &GilbertElliott{GoodToBad: rate * r / (1 - rate), BadToGood: r, LossBad: 1}
}

// validate reports the first setting that makes no sense.
func (im Impairment) validate() error {
	prob := func(name string, p float64) error {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("impair: %s %v is not a probability in [0, 1]", name, p)
		}
		return nil
	}
	switch {
	case im.Delay < 0 || im.Jitter < 0:
		return fmt.Errorf("impair: negative delay %v or jitter %v", im.Delay, im.Jitter)
	case im.Dist != Uniform && im.Dist != Normal:
		return fmt.Errorf("impair: unknown jitter distribution %v", im.Dist)
	}
	errs := []error{prob("loss", im.Loss)}
	if b := im.Burst; b != nil {
		errs = append(errs, prob("good-to-bad", b.GoodToBad), prob("bad-to-good", b.BadToGood),
			prob("loss in the good state", b.LossGood), prob("loss in the bad state", b.LossBad))
	}
	return errors.Join(errs...)
}
