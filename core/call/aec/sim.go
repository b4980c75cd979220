package aec

import (
	"math"
	"math/rand/v2"
	"time"
)

// SimConfig describes the simulated echo path Measure runs a Processor on;
// a zero field takes the default named in its comment.
type SimConfig struct {
	FrameSamples int           // frame length in samples (960)
	Seed         uint64        // seeds the room and the noise (0 is a valid seed)
	RT60         time.Duration // room reverberation time, 60 dB decay (300 ms)
	RoomLength   time.Duration // length of the room impulse response (RT60)
	EchoDelay    time.Duration // speaker to microphone, converters included (40 ms)
	BufferDelay  time.Duration // playback device buffer, added to EchoDelay (20 ms)
	EchoGainDB   float64       // level of the echo relative to the far end (-6 dB)
	NoiseDBFS    float64       // RMS of white microphone noise, dB full scale (-65)
	Converge     time.Duration // far-end time skipped before ERLE counts (2 s)
}

func (s SimConfig) withDefaults() SimConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if s.FrameSamples == 0 {
		s.FrameSamples = DefaultFrameSamples
	}
	def(&s.RT60, 300*time.Millisecond)
	def(&s.RoomLength, s.RT60)
	def(&s.EchoDelay, 40*time.Millisecond)
	def(&s.BufferDelay, 20*time.Millisecond)
	def(&s.Converge, 2*time.Second)
	if s.EchoGainDB == 0 {
		s.EchoGainDB = -6
	}
	if s.NoiseDBFS == 0 {
		s.NoiseDBFS = -65
	}
	return s
}

// talk says who speaks in a frame of the simulation.
type talk uint8

const (
	farOnly talk = iota
	nearOnly
	doubleTalk
)

// schedule is the simulated conversation: who talks, for how long.
var schedule = []struct {
	who talk
	dur time.Duration
}{
	{farOnly, 6 * time.Second},
	{nearOnly, 3 * time.Second},
	{doubleTalk, 4 * time.Second},
	{farOnly, 4 * time.Second},
	{nearOnly, 3 * time.Second},
}

// scene is one simulated call: what the speaker played (far), what the
// microphone heard (mic), and its echo and near-end parts on their own.
type scene struct {
	frame int
	who   []talk // per frame
	far   []int16
	mic   []int16
	echo  []float64
	near  []float64
}

// samples converts d to a sample count at SampleRate.
func samples(d time.Duration) int { return int(d * SampleRate / time.Second) }

// newScene builds the simulated call from near and far speech, looping each
// as needed.
func newScene(nearSrc, farSrc []int16, s SimConfig) *scene {
	sc := &scene{frame: s.FrameSamples}
	for _, seg := range schedule {
		for range samples(seg.dur) / s.FrameSamples {
			sc.who = append(sc.who, seg.who)
		}
	}
	n := len(sc.who) * s.FrameSamples
	sc.far = make([]int16, n)
	sc.near = make([]float64, n)
	fi, ni := 0, 0
	for f, who := range sc.who {
		for i := f * s.FrameSamples; i < (f+1)*s.FrameSamples; i++ {
			if who != nearOnly && len(farSrc) > 0 {
				sc.far[i] = farSrc[fi%len(farSrc)]
				fi++
			}
			if who != farOnly && len(nearSrc) > 0 {
				sc.near[i] = float64(nearSrc[ni%len(nearSrc)])
				ni++
			}
		}
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x7e11))
	room := roomResponse(rng, s.RT60, s.RoomLength)
	farF := make([]float64, n)
	for i, v := range sc.far {
		farF[i] = float64(v)
	}
	wet := convolve(farF, room)
	gain := math.Pow(10, s.EchoGainDB/20)
	delay := samples(s.EchoDelay + s.BufferDelay)
	sc.echo = make([]float64, n)
	for i := delay; i < n; i++ {
		sc.echo[i] = gain * wet[i-delay]
	}
	noise := 32768 * math.Pow(10, s.NoiseDBFS/20)
	sc.mic = make([]int16, n)
	for i := range sc.mic {
		v := sc.echo[i] + sc.near[i] + noise*rng.NormFloat64()
		sc.mic[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return sc
}

// roomResponse is a synthetic room impulse response: white noise under an
// exponential decay that falls 60 dB in rt60, length long, unit energy.
func roomResponse(rng *rand.Rand, rt60, length time.Duration) []float64 {
	h := make([]float64, max(1, samples(length)))
	tau := rt60.Seconds() / math.Log(1000) // amplitude e-folding time
	var energy float64
	for i := range h {
		h[i] = rng.NormFloat64() * math.Exp(-float64(i)/SampleRate/tau)
		energy += h[i] * h[i]
	}
	norm := 1 / math.Sqrt(energy)
	for i := range h {
		h[i] *= norm
	}
	return h
}
