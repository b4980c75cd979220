package audio

import "math"

// Tone makes a call-progress tone, 20 ms at a time, as a pure function of
// its sample counter: the same Tone always makes the same frames, and Next
// never allocates. The zero value is silence.
type Tone struct {
	freqs [2]int  // Hz; 0 = unused
	amp   float64 // peak of each sine, full scale = 1
	on    int     // samples of sound at the start of each cycle
	cycle int     // samples per cycle
	n     int     // next sample to make
}

// rampSamples shapes each burst's start and end (5 ms raised cosine) so the
// cadence does not click.
const rampSamples = SampleRate / 200

// RingTone is the callee's ring: 440 + 480 Hz, 2 s on, 4 s off.
func RingTone() Tone {
	return Tone{freqs: [2]int{440, 480}, amp: 0.18, on: 2 * SampleRate, cycle: 6 * SampleRate}
}

// Ringback is what the caller hears while the callee rings: 425 Hz, 1 s on,
// 4 s off.
func Ringback() Tone {
	return Tone{freqs: [2]int{425, 0}, amp: 0.25, on: SampleRate, cycle: 5 * SampleRate}
}

// Next fills f with the tone's next 20 ms.
func (t *Tone) Next(f *Frame) {
	for i := range f {
		f[i] = t.sample(t.n + i)
	}
	t.n += FrameSamples
	if t.cycle > 0 {
		t.n %= t.cycle * SampleRate // whole cycles and whole seconds: the wave is unchanged
	}
}

// Reset starts the cadence again from the beginning of a burst.
func (t *Tone) Reset() { t.n = 0 }

// sample is the tone's n-th sample.
func (t *Tone) sample(n int) int16 {
	if t.cycle == 0 {
		return 0
	}
	pos := n % t.cycle
	if pos >= t.on {
		return 0
	}
	env := 1.0
	if edge := min(pos, t.on-1-pos); edge < rampSamples {
		env = 0.5 - 0.5*math.Cos(math.Pi*float64(edge)/rampSamples)
	}
	v := 0.0
	for _, f := range t.freqs {
		if f != 0 {
			// f Hz has a whole number of periods per second: the phase is
			// exact from the sample's position within its second.
			k := f * (n % SampleRate) % SampleRate
			v += math.Sin(2 * math.Pi * float64(k) / SampleRate)
		}
	}
	return int16(math.Round(32767 * t.amp * env * v))
}

// Mix adds src into dst, clipping at full scale.
func Mix(dst, src *Frame) {
	for i, v := range src {
		dst[i] = int16(max(math.MinInt16, min(math.MaxInt16, int32(dst[i])+int32(v))))
	}
}
