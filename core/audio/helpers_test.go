package audio

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// speechA is a 48 kHz mono 16-bit speech recording (~13 s).
const speechA = "../../assets/speech/speech-a.wav"

// sine makes n samples of a sine of freq Hz at rate, with peak amp.
func sine(n, rate int, freq, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return out
}

// goertzel is the power of freq Hz in x (sampled at rate), normalised so a
// full-scale sine gives about 0.25.
func goertzel(x []int16, rate int, freq float64) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s := float64(v)/32768 + c*s1 - s2
		s2, s1 = s1, s
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	n := float64(len(x))
	return p / (n * n)
}

// zeroCrossings counts sign changes (from negative to non-negative) in x.
func zeroCrossings(x []int16) int {
	n := 0
	for i := 1; i < len(x); i++ {
		if x[i-1] < 0 && x[i] >= 0 {
			n++
		}
	}
	return n
}

// rms is the root mean square of x, full scale = 1.
func rms(x []int16) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		f := float64(v) / 32768
		s += f * f
	}
	return math.Sqrt(s / float64(len(x)))
}

// wavBytes builds a WAV file with any PCM parameters: interleaved holds
// channels samples per frame.
func wavBytes(rate, channels, bits int, interleaved []int16) []byte {
	le := binary.LittleEndian
	data := make([]byte, 0, 2*len(interleaved))
	for _, v := range interleaved {
		data = le.AppendUint16(data, uint16(v))
	}
	b := []byte("RIFF")
	b = le.AppendUint32(b, uint32(36+len(data)))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*channels*bits/8))
	b = le.AppendUint16(b, uint16(channels*bits/8))
	b = le.AppendUint16(b, uint16(bits))
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

// writeFile writes b into a file in t's temporary directory.
func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// within waits up to d for cond, polling; it reports whether cond held.
func within(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readFrames reads n frames from s (failing t after d) and returns them.
func readFrames(t *testing.T, s *Stream, n int, d time.Duration) []int16 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	out := make([]int16, 0, n*FrameSamples)
	var f Frame
	for range n {
		if err := s.ReadFrame(ctx, &f); err != nil {
			t.Fatalf("reading frame %d of %d failed: %v", len(out)/FrameSamples, n, err)
		}
		out = append(out, f[:]...)
	}
	return out
}
