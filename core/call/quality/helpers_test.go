package quality

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// Paths of the project's 48 kHz mono 16-bit test speech.
const (
	speechA = "../../../assets/speech/speech-a.wav"
	speechB = "../../../assets/speech/speech-b.wav"
)

// readWAV reads a canonical 44-byte-header WAV file of 48 kHz mono 16-bit
// PCM and returns its samples.
func readWAV(t testing.TB, path string) []int16 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the test speech: %v", err)
	}
	le := binary.LittleEndian
	switch {
	case len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" || string(b[12:16]) != "fmt ":
		t.Fatalf("%s is not a canonical WAV file", path)
	case le.Uint16(b[20:]) != 1 || le.Uint16(b[22:]) != 1 || le.Uint32(b[24:]) != SampleRate || le.Uint16(b[34:]) != 16:
		t.Fatalf("%s is not 48 kHz mono 16-bit PCM", path)
	case string(b[36:40]) != "data" || int(le.Uint32(b[40:])) > len(b)-44:
		t.Fatalf("%s has no data chunk right after its format", path)
	}
	data := b[44 : 44+le.Uint32(b[40:])]
	pcm := make([]int16, len(data)/2)
	for i := range pcm {
		pcm[i] = int16(le.Uint16(data[2*i:]))
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
