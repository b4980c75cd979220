package quality

import (
	"math"
	"testing"
)

func TestResamplerKeepsThePassBandAndStopsAliases(t *testing.T) {
	tone := func(freq float64) []float64 {
		x := make([]float64, SampleRate)
		for i := range x {
			x[i] = math.Sin(2 * math.Pi * freq * float64(i) / SampleRate)
		}
		return x
	}
	rms := func(x []float64) float64 { return norm(x[1000:len(x)-1000]) / math.Sqrt(float64(len(x)-2000)) }
	y := resample(tone(1000), SampleRate, stoiRate)
	if len(y) != stoiRate {
		t.Fatalf("one second at 48 kHz resamples to %d samples instead of 10,000", len(y))
	}
	if got := rms(y); math.Abs(got-math.Sqrt(0.5)) > 0.005 {
		t.Errorf("a full-scale 1 kHz tone has an RMS of %.4f after resampling instead of 0.7071", got)
	}
	// Where the 1 kHz tone should be: its phase must be kept too.
	for i := 1000; i < 1010; i++ {
		want := math.Sin(2 * math.Pi * 1000 * float64(i) / stoiRate)
		if math.Abs(y[i]-want) > 0.01 {
			t.Fatalf("the resampled tone is %.4f at sample %d instead of %.4f: the resampler shifts it", y[i], i, want)
		}
	}
	if got := rms(resample(tone(7000), SampleRate, stoiRate)); got > 0.001*math.Sqrt(0.5) {
		t.Errorf("a 7 kHz tone keeps an RMS of %.5f after resampling to 10 kHz; it should be stopped by 60 dB", got)
	}
}

func TestThirdOctaveBandsAscendWithoutGaps(t *testing.T) {
	lo, hi := thirdOctaveBins()
	// Edges 150·2^(-1/6) = 134 Hz and 150·2^(29/6) = 4277 Hz, 19.53 Hz a bin.
	if lo[0] != 7 || hi[stoiBands-1] != 219 {
		t.Errorf("the bands span bins %d to %d instead of 7 (about 134 Hz) to 219 (about 4.3 kHz)", lo[0], hi[stoiBands-1])
	}
	for k := range stoiBands {
		if hi[k] <= lo[k] || (k > 0 && lo[k] != hi[k-1]) {
			t.Errorf("band %d spans bins [%d, %d), which does not follow the previous band", k, lo[k], hi[k])
		}
	}
}

func TestSTOIOfACleanCopyIsOne(t *testing.T) {
	ref := readWAV(t, speechA)
	if got := STOI(ref, ref, SampleRate); math.Abs(got-1) > 1e-6 {
		t.Errorf("STOI of speech against itself is %.6f, not 1", got)
	}
	// A level change is not a loss of intelligibility.
	if got := STOI(ref[:6*SampleRate], scaled(ref[:6*SampleRate], 0.3), SampleRate); got < 0.999 {
		t.Errorf("STOI of speech against itself at a lower level is %.4f, not about 1", got)
	}
}

func TestSTOIFallsAsNoiseRises(t *testing.T) {
	ref := excerpt(t)
	prev := 1.0
	for _, snr := range []float64{20, 10, 0, -5} {
		got := STOI(ref, withNoise(ref, snr, 12), SampleRate)
		t.Logf("the speech excerpt with white noise at %3.0f dB SNR: STOI %.4f", snr, got)
		if !(got < prev) {
			t.Errorf("STOI at %.0f dB SNR is %.4f, not less than %.4f at the previous, cleaner step", snr, got, prev)
		}
		prev = got
	}
	// The SNR is over the full 24 kHz band; STOI sees only 0-5 kHz, where
	// white noise has 5/24 of its power, so -5 dB here is about +2 dB there.
	if prev < 0.5 || prev > 0.95 {
		t.Errorf("STOI at -5 dB SNR is %.4f; white noise that loud should cost clearly more than 5%%", prev)
	}
}

func TestSTOIOfUnrelatedSpeechIsLow(t *testing.T) {
	a, b := excerpt(t), readWAV(t, speechB)[:6*SampleRate]
	got := STOI(a, b, SampleRate)
	t.Logf("speech-a against speech-b: STOI %.4f", got)
	if got > 0.3 {
		t.Errorf("STOI of one utterance against another is %.3f, which should be near 0", got)
	}
}

func TestSTOIOfTooLittleSpeechIsNaN(t *testing.T) {
	ref := whiteNoise(SampleRate/4, 3000, 13) // 250 ms < 30 frames of 12.8 ms
	if got := STOI(ref, ref, SampleRate); !math.IsNaN(got) {
		t.Errorf("STOI of 250 ms is %v instead of NaN", got)
	}
	if got := STOI(ref, ref, 0); !math.IsNaN(got) {
		t.Errorf("STOI at a rate of 0 is %v instead of NaN", got)
	}
}

func TestSTOIAtTenKilohertzSkipsResampling(t *testing.T) {
	ref := whiteNoise(stoiRate, 3000, 14)
	if got := STOI(ref, ref, stoiRate); math.Abs(got-1) > 1e-6 {
		t.Errorf("STOI of noise against itself at 10 kHz is %.6f, not 1", got)
	}
}
