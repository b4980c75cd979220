package jitter

import (
	"math/rand/v2"
	"time"
)

// phase is a stretch of a trace: packets sent from From on arrive after Base
// plus a jitter drawn by Jitter (nil: none).
type phase struct {
	From   time.Duration
	Base   time.Duration
	Jitter func(*rand.Rand) time.Duration
}

// uniform is jitter drawn uniformly from [-j, +j].
func uniform(j time.Duration) func(*rand.Rand) time.Duration {
	return func(r *rand.Rand) time.Duration { return time.Duration(r.Int64N(int64(2*j)+1)) - j }
}

// exponential is jitter drawn from an exponential distribution of the given
// mean: a long tail, as real paths have. Its RFC 3550 interarrival jitter
// (the mean of |D|) equals the mean.
func exponential(mean time.Duration) func(*rand.Rand) time.Duration {
	return func(r *rand.Rand) time.Duration { return time.Duration(r.ExpFloat64() * float64(mean)) }
}

// trace is n packets sent every 20 ms, with no DTX and no loss, delayed as
// the phases say (sorted by From), with a seeded generator.
func trace(seed uint64, n int, phases ...phase) []Arrival {
	rng := rand.New(rand.NewPCG(seed, 0x6a177e4))
	tr := make([]Arrival, n)
	p := 0
	for i := range tr {
		sent := time.Duration(i) * DefaultFrameDur
		for p+1 < len(phases) && phases[p+1].From <= sent {
			p++
		}
		d := phases[p].Base
		if phases[p].Jitter != nil {
			d += phases[p].Jitter(rng)
		}
		tr[i] = Arrival{
			At:     sent + d,
			Packet: Packet{Seq: uint16(i), TS: uint32(i) * DefaultFrameSamples, Payload: []byte{0xfc, byte(i), byte(i >> 8)}},
		}
	}
	return tr
}

// run plays tr through b as Play does, from time zero to end, and calls each
// after every Pop.
func run(b *Buffer, tr []Arrival, end time.Duration, each func(t time.Duration, f Frame)) {
	i := 0
	for t := time.Duration(0); t < end; t += DefaultFrameDur {
		for ; i < len(tr) && tr[i].At <= t; i++ {
			b.Push(tr[i].Packet, simEpoch.Add(tr[i].At))
		}
		f := b.Pop(simEpoch.Add(t))
		if each != nil {
			each(t, f)
		}
	}
}
