package audio

import "testing"

// render makes n frames of a tone.
func render(tone Tone, frames int) []int16 {
	out := make([]int16, 0, frames*FrameSamples)
	var f Frame
	for range frames {
		tone.Next(&f)
		out = append(out, f[:]...)
	}
	return out
}

// sec is the slice of x between two times in seconds.
func sec(x []int16, from, to float64) []int16 {
	return x[int(from*SampleRate):int(to*SampleRate)]
}

func TestRingToneFrequencyAndCadence(t *testing.T) {
	x := render(RingTone(), 13*50) // two cycles and a bit
	on := sec(x, 0.1, 1.9)
	for _, f := range []float64{440, 480} {
		if p := goertzel(on, SampleRate, f); p < 0.005 {
			t.Fatalf("the ring tone has power %.4f at %.0f Hz, want one of its two tones", p, f)
		}
	}
	if p := goertzel(on, SampleRate, 1000); p > 1e-5 {
		t.Fatalf("the ring tone has power %.2g at 1 kHz, want none", p)
	}
	for _, c := range []struct{ from, to float64 }{{0.01, 1.99}, {6.01, 7.99}, {12.01, 12.99}} {
		if r := rms(sec(x, c.from, c.to)); r < 0.1 {
			t.Fatalf("the ring tone is quiet (RMS %.3f) from %.2f s to %.2f s, when it should ring", r, c.from, c.to)
		}
	}
	for _, c := range []struct{ from, to float64 }{{2, 6}, {8, 12}} {
		if r := rms(sec(x, c.from, c.to)); r != 0 {
			t.Fatalf("the ring tone sounds (RMS %.3f) from %.0f s to %.0f s, when it should be silent", r, c.from, c.to)
		}
	}
}

func TestRingbackFrequencyAndCadence(t *testing.T) {
	x := render(Ringback(), 11*50)
	if zc := zeroCrossings(sec(x, 0, 1)); zc < 424 || zc > 426 {
		t.Fatalf("the ringback's first second has %d upward zero crossings, want 425", zc)
	}
	if r := rms(sec(x, 0.01, 0.99)); r < 0.15 {
		t.Fatalf("the ringback is quiet (RMS %.3f) in its first second", r)
	}
	if r := rms(sec(x, 1, 5)); r != 0 {
		t.Fatalf("the ringback sounds (RMS %.3f) between 1 s and 5 s, when it should be silent", r)
	}
	if zc := zeroCrossings(sec(x, 5, 6)); zc < 424 || zc > 426 {
		t.Fatalf("the ringback's second burst has %d upward zero crossings, want 425", zc)
	}
}

// TestToneIsDeterministic checks a tone is a function of its counter: the
// same frames every time, across the wrap of its counter, and no clicks
// (each burst starts and ends near zero).
func TestToneIsDeterministic(t *testing.T) {
	a, b := render(RingTone(), 700), render(RingTone(), 700)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("two ring tones differ at sample %d", i)
		}
	}
	// After 6 s the cycle repeats exactly.
	for i := range 6 * SampleRate {
		if a[i] != a[i+6*SampleRate] {
			t.Fatalf("the ring tone's second cycle differs from its first at sample %d", i)
		}
	}
	tone := RingTone()
	var f Frame
	tone.Next(&f)
	if f[0] != 0 || abs16(f[1]) > 100 {
		t.Fatalf("the ring tone starts at %d, %d; it should fade in from zero", f[0], f[1])
	}
	end := sec(a, 2-0.0002, 2)
	if abs16(end[len(end)-1]) > 100 {
		t.Fatalf("the ring tone's burst ends at %d; it should fade out to zero", end[len(end)-1])
	}
	tone.Reset()
	tone.Next(&f)
	for i := range f {
		if f[i] != a[i] {
			t.Fatalf("after Reset the tone's first frame differs at sample %d", i)
		}
	}
}

func TestMixClips(t *testing.T) {
	a, b := frameOf(30000), frameOf(10000)
	Mix(a, b)
	if a[0] != 32767 {
		t.Fatalf("30000 + 10000 mixed to %d, want 32767 (clipped)", a[0])
	}
	c, d := frameOf(-30000), frameOf(-10000)
	Mix(c, d)
	if c[0] != -32768 {
		t.Fatalf("-30000 - 10000 mixed to %d, want -32768 (clipped)", c[0])
	}
	e, g := frameOf(100), frameOf(-40)
	Mix(e, g)
	if e[5] != 60 {
		t.Fatalf("100 - 40 mixed to %d, want 60", e[5])
	}
}

func abs16(v int16) int {
	if v < 0 {
		return -int(v)
	}
	return int(v)
}
