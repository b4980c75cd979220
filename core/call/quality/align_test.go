package quality

import (
	"testing"
	"time"
)

func TestAlignFindsTheDelayOfNoise(t *testing.T) {
	ref := whiteNoise(48000, 3000, 7)
	for _, lag := range []int{0, 1, 1234, -567, 4800} {
		lagGot, corr := Align(ref, delayed(ref, lag), 9600)
		if lagGot != lag {
			t.Errorf("Align finds a lag of %d samples for noise delayed by %d", lagGot, lag)
		}
		if corr < 0.999 {
			t.Errorf("Align's peak correlation for an exact delayed copy (lag %d) is %.4f, not about 1", lag, corr)
		}
	}
}

func TestAlignFindsTheDelayOfNoisySpeech(t *testing.T) {
	ref := excerpt(t)
	const lag = 7777 // 162 ms
	deg := withNoise(delayed(ref, lag), 0, 3)
	got, corr := Align(ref, deg, SampleRate)
	if got != lag {
		t.Fatalf("Align finds a lag of %d samples for speech delayed by %d at 0 dB SNR", got, lag)
	}
	if corr < 0.5 || corr > 0.9 {
		t.Errorf("Align's peak correlation at 0 dB SNR is %.3f; about 0.7 (1/sqrt(2)) was expected", corr)
	}
	t.Logf("speech delayed by %d at 0 dB SNR: lag %d, correlation %.3f", lag, got, corr)
}

func TestAlignFindsTheDelayInFifteenSecondsWithOneSecondOfRange(t *testing.T) {
	ref := readWAV(t, speechA)
	ref = append(ref, ref[:15*SampleRate-len(ref)]...)
	deg := delayed(ref, 12345)
	start := time.Now()
	lag, _ := Align(ref, deg, SampleRate)
	if lag != 12345 {
		t.Fatalf("Align finds a lag of %d samples on 15 s of speech delayed by 12345", lag)
	}
	// Its speed is measured by BenchmarkAlignFifteenSecondsOneSecondRange;
	// a wall-clock bound here would fail on a loaded machine.
	t.Logf("Align on 15 s with ±1 s: %v", time.Since(start))
}

func TestAlignOutsideItsRangeDoesNotInventALag(t *testing.T) {
	ref := whiteNoise(48000, 3000, 9)
	_, corr := Align(ref, delayed(ref, 5000), 1000)
	if corr > 0.1 {
		t.Errorf("Align reports a correlation of %.3f for noise delayed beyond its search range", corr)
	}
}

func TestAlignOnNothingReturnsZero(t *testing.T) {
	cases := map[string][2][]int16{
		"empty reference": {nil, whiteNoise(100, 1000, 1)},
		"empty degraded":  {whiteNoise(100, 1000, 1), nil},
		"silence":         {make([]int16, 1000), make([]int16, 1000)},
	}
	for name, c := range cases {
		if lag, corr := Align(c[0], c[1], 100); lag != 0 || corr != 0 {
			t.Errorf("Align on %s returns lag %d and correlation %v instead of 0, 0", name, lag, corr)
		}
	}
}

func TestOverlapPairsTheRightSamples(t *testing.T) {
	ref := []int16{1, 2, 3, 4, 5}
	deg := []int16{0, 0, 1, 2, 3}
	r, d := Overlap(ref, deg, 2)
	if len(r) != 3 || len(d) != 3 || r[0] != d[0] || r[2] != d[2] {
		t.Errorf("Overlap with lag 2 pairs %v with %v", r, d)
	}
	r, d = Overlap(deg, ref, -2)
	if len(r) != 3 || r[0] != 1 || d[0] != 1 {
		t.Errorf("Overlap with lag -2 pairs %v with %v", r, d)
	}
	if r, d := Overlap(ref, deg, 9); r != nil || d != nil {
		t.Errorf("Overlap with a lag past the end returns %v and %v instead of nothing", r, d)
	}
}
