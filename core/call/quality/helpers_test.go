package quality

import (
	"math"
	"math/rand/v2"
	"testing"

	"tincan/core/audio"
)

// Paths of the project's 48 kHz mono 16-bit test speech.
const (
	speechA = "../../../assets/speech/speech-a.wav"
	speechB = "../../../assets/speech/speech-b.wav"
)

// readWAV reads a test speech file (48 kHz mono).
func readWAV(t testing.TB, path string) []int16 {
	t.Helper()
	pcm, _, err := audio.ReadWAV(path)
	if err != nil {
		t.Fatalf("read the test speech: %v", err)
	}
	return pcm
}

// excerpt is the first six seconds of speech-a: enough for every measure,
// and it keeps the race-detector run of the package short.
func excerpt(t testing.TB) []int16 {
	t.Helper()
	return readWAV(t, speechA)[:6*SampleRate]
}

// clamp16 rounds v to the nearest int16, saturating.
func clamp16(v float64) int16 {
	return int16(max(-32768, min(32767, math.Round(v))))
}

// withNoise returns a copy of s plus white Gaussian noise at the given SNR
// in dB relative to s's mean power, from a fixed seed.
func withNoise(s []int16, snrDB float64, seed uint64) []int16 {
	p := 0.0
	for _, v := range s {
		p += float64(v) * float64(v)
	}
	p /= float64(len(s))
	sigma := math.Sqrt(p / math.Pow(10, snrDB/10))
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]int16, len(s))
	for i, v := range s {
		out[i] = clamp16(float64(v) + sigma*rng.NormFloat64())
	}
	return out
}

// whiteNoise returns n samples of Gaussian noise with the given RMS.
func whiteNoise(n int, rms float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]int16, n)
	for i := range out {
		out[i] = clamp16(rms * rng.NormFloat64())
	}
	return out
}

// delayed returns s delayed by lag samples (lag > 0: zeros in front) or
// advanced (lag < 0: its start cut off).
func delayed(s []int16, lag int) []int16 {
	if lag < 0 {
		return append([]int16(nil), s[-lag:]...)
	}
	return append(make([]int16, lag), s...)
}

// scaled returns s multiplied by g.
func scaled(s []int16, g float64) []int16 {
	out := make([]int16, len(s))
	for i, v := range s {
		out[i] = clamp16(float64(v) * g)
	}
	return out
}
