package quality

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestCompareOfADelayedCopyIsPerfect(t *testing.T) {
	ref := excerpt(t)
	const lag = 3 * 960 // 60 ms
	r := Compare(ref, delayed(ref, lag))
	t.Logf("delayed copy: %v", r)
	if r.Lag != lag {
		t.Errorf("Compare finds a lag of %d samples for a copy delayed by %d", r.Lag, lag)
	}
	if r.Corr < 0.999 || r.SegSNR != segMaxDB || r.LSD != 0 || math.Abs(r.STOI-1) > 1e-6 {
		t.Errorf("Compare of an exact delayed copy reports %v instead of a perfect score", r)
	}
	early := Compare(ref, delayed(ref, -480))
	if early.Lag != -480 || early.STOI < 0.999 {
		t.Errorf("Compare of a copy that starts 10 ms early reports %v", early)
	}
}

func TestCompareRanksNoisierCopiesLower(t *testing.T) {
	ref := excerpt(t)
	clean := Compare(ref, withNoise(delayed(ref, 1000), 20, 15))
	noisy := Compare(ref, withNoise(delayed(ref, 1000), 0, 15))
	t.Logf("20 dB SNR: %v", clean)
	t.Logf(" 0 dB SNR: %v", noisy)
	if clean.Lag != 1000 || noisy.Lag != 1000 {
		t.Errorf("Compare finds lags %d and %d for copies delayed by 1000", clean.Lag, noisy.Lag)
	}
	if !(noisy.SegSNR < clean.SegSNR && noisy.LSD > clean.LSD && noisy.STOI < clean.STOI && noisy.Corr < clean.Corr) {
		t.Errorf("Compare does not rank the 0 dB copy (%v) below the 20 dB copy (%v) on every measure", noisy, clean)
	}
}

func TestNothingMutatesItsInputs(t *testing.T) {
	ref := readWAV(t, speechA)[:3*SampleRate]
	deg := withNoise(delayed(ref, 500), 5, 16)
	refCopy, degCopy := slices.Clone(ref), slices.Clone(deg)
	Align(ref, deg, 2000)
	r, d := Overlap(ref, deg, 500)
	SegSNR(r, d)
	LSD(r, d)
	STOI(r, d, SampleRate)
	Compare(ref, deg)
	if !slices.Equal(ref, refCopy) || !slices.Equal(deg, degCopy) {
		t.Fatal("measuring a pair changed the caller's samples")
	}
}

func BenchmarkCompareTenSeconds(b *testing.B) {
	ref := readWAV(b, speechA)[:10*SampleRate]
	deg := withNoise(delayed(ref, 4321), 10, 17)
	b.ResetTimer()
	for b.Loop() {
		Compare(ref, deg)
	}
}

func BenchmarkAlignFifteenSecondsOneSecondRange(b *testing.B) {
	ref := readWAV(b, speechA)
	ref = append(ref, ref[:15*SampleRate-len(ref)]...)
	deg := delayed(ref, 12345)
	b.ResetTimer()
	for b.Loop() {
		Align(ref, deg, SampleRate)
	}
}

func TestCompareRanksMoreLostFramesLower(t *testing.T) {
	ref := excerpt(t)
	prev := Report{SegSNR: segMaxDB, STOI: 1} // a clean copy's scores
	for _, loss := range []float64{0.05, 0.15} {
		// Silence whole 20 ms frames at random, as a receiver with no
		// concealment would play them.
		rng := rand.New(rand.NewPCG(18, uint64(loss*100)))
		deg := slices.Clone(ref)
		for f := 0; f+960 <= len(deg); f += 960 {
			if rng.Float64() < loss {
				clear(deg[f : f+960])
			}
		}
		r := Compare(ref, deg)
		t.Logf("%2.0f%% of frames silenced: %v", loss*100, r)
		if !(r.STOI < prev.STOI && r.SegSNR < prev.SegSNR) {
			t.Errorf("with %.0f%% of frames silenced Compare reports %v, no worse than %v", loss*100, r, prev)
		}
		prev = r
	}
}
