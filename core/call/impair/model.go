package impair

import (
	"math/rand/v2"
	"time"
)

// model decides the fate of one direction's datagrams, in arrival order:
// lost, or when to send. It is a pure type, driven by the time it is handed;
// the Proxy guards it with its direction's lock.
type model struct {
	im     Impairment
	rng    *rand.Rand
	bad    bool      // the Gilbert-Elliott chain's state
	lastAt time.Time // send time of the last datagram kept, for in-order delivery
}

// newModel returns a model for im drawing from a PCG seeded with seed and
// stream.
func newModel(im Impairment, seed, stream uint64) *model {
	return &model{im: im, rng: rand.New(rand.NewPCG(seed, stream))}
}

// next decides the fate of a datagram arriving at now: lost, or the time
// to send it.
func (m *model) next(now time.Time) (at time.Time, lost bool) {
	if m.lose() {
		return time.Time{}, true
	}
	at = now.Add(m.delay())
	if !m.im.Reorder && at.Before(m.lastAt) {
		at = m.lastAt
	}
	m.lastAt = at
	return at, false
}

// lose steps the loss models and reports whether this datagram is lost.
func (m *model) lose() bool {
	lost := false
	if b := m.im.Burst; b != nil {
		if m.bad {
			m.bad = m.rng.Float64() >= b.BadToGood
		} else {
			m.bad = m.rng.Float64() < b.GoodToBad
		}
		p := b.LossGood
		if m.bad {
			p = b.LossBad
		}
		lost = m.rng.Float64() < p
	}
	if m.im.Loss > 0 && m.rng.Float64() < m.im.Loss {
		lost = true
	}
	return lost
}

// delay draws one datagram's delay.
func (m *model) delay() time.Duration {
	d, j := m.im.Delay, float64(m.im.Jitter)
	if j == 0 {
		return d
	}
	switch m.im.Dist {
	case Normal:
		d += time.Duration(m.rng.NormFloat64() * j)
	default:
		d += time.Duration((2*m.rng.Float64() - 1) * j)
	}
	return max(d, 0)
}
