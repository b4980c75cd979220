package quality

import (
	"math"
	"testing"
)

func TestSegSNROfAnIdenticalCopyIsTheCeiling(t *testing.T) {
	ref := readWAV(t, speechA)
	if got := SegSNR(ref, ref); got != segMaxDB {
		t.Errorf("SegSNR of speech against itself is %.2f dB, not the %d dB ceiling", got, segMaxDB)
	}
}

func TestSegSNRMeasuresStationaryNoise(t *testing.T) {
	ref := whiteNoise(5*SampleRate, 3000, 4)
	for _, snr := range []float64{0, 10, 20} {
		got := SegSNR(ref, withNoise(ref, snr, 5))
		if math.Abs(got-snr) > 0.3 {
			t.Errorf("SegSNR of noise plus noise at %.0f dB SNR is %.2f dB", snr, got)
		}
	}
	if got := SegSNR(ref, withNoise(ref, -30, 5)); got != segMinDB {
		t.Errorf("SegSNR at -30 dB SNR is %.2f dB instead of the %d dB floor", got, segMinDB)
	}
}

func TestSegSNRSkipsSilentReferenceSegments(t *testing.T) {
	sound := whiteNoise(SampleRate, 3000, 6)
	ref := append(append([]int16(nil), sound...), make([]int16, SampleRate)...)
	deg := append(withNoise(sound, 10, 7), whiteNoise(SampleRate, 3000, 8)...)
	got := SegSNR(ref, deg)
	if math.Abs(got-10) > 0.5 {
		t.Errorf("SegSNR with noise over a silent second of reference is %.2f dB; the silent part should be skipped, leaving 10 dB", got)
	}
	if got := SegSNR(make([]int16, SampleRate), sound); !math.IsNaN(got) {
		t.Errorf("SegSNR against a silent reference is %v instead of NaN", got)
	}
}

func TestLSDOfACopyAtHalfLevelIsSixDecibels(t *testing.T) {
	ref := whiteNoise(2*SampleRate, 8000, 10)
	if got := LSD(ref, ref); got != 0 {
		t.Errorf("LSD of noise against itself is %.3f dB, not 0", got)
	}
	if got := LSD(ref, scaled(ref, 0.5)); math.Abs(got-6.02) > 0.05 {
		t.Errorf("LSD of noise against itself at half level is %.3f dB, not 6.02", got)
	}
}

func TestLSDGrowsWithNoise(t *testing.T) {
	ref := excerpt(t)
	prev := LSD(ref, ref)
	for _, snr := range []float64{30, 20, 10, 0} {
		deg := withNoise(ref, snr, 11)
		got := LSD(ref, deg)
		if got <= prev {
			t.Errorf("LSD at %.0f dB SNR is %.2f dB, not more than %.2f dB at the previous, cleaner step", snr, got, prev)
		}
		t.Logf("the speech excerpt with white noise at %3.0f dB SNR: LSD %.2f dB, SegSNR %.2f dB", snr, got, SegSNR(ref, deg))
		prev = got
	}
	if got := LSD(make([]int16, SampleRate), ref); !math.IsNaN(got) {
		t.Errorf("LSD against a silent reference is %v instead of NaN", got)
	}
}
