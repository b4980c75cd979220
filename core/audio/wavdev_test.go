package audio

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestWAVLoopback plays speech-a.wav in through a WAV device, sends every
// captured frame straight back to playback through a Stream, and checks
// that OUT.wav is the input delayed by a few frames. This proves the whole
// frame path: file, device clock, callback, rings, ReadFrame, WriteFrame,
// callback, file.
func TestWAVLoopback(t *testing.T) {
	t.Parallel()
	in, _, err := ReadWAV(speechA)
	if err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(t.TempDir(), "out.wav")
	dev, err := NewWAV(speechA, outPath, WAVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := NewStream(dev, StreamOptions{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	// One frame of silence first gives playback a frame of slack against
	// scheduling delays on a loaded machine.
	var silence Frame
	s.WriteFrame(&silence)
	frames := len(in)/FrameSamples + 10
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(frames)*20*time.Millisecond+10*time.Second)
	defer cancel()
	started := time.Now()
	var f Frame
	for i := range frames {
		if err := s.ReadFrame(ctx, &f); err != nil {
			t.Fatalf("reading frame %d of %d: %v", i, frames, err)
		}
		s.WriteFrame(&f)
	}
	elapsed := time.Since(started)
	st := s.Stats() // glitches while audio flowed; the drain below ends in underruns by design
	// Let the last frames play out before stopping.
	if !within(5*time.Second, func() bool { return s.play.Len() == 0 }) {
		t.Fatal("the last frames written were not played within 5 s")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := time.Duration(frames) * 20 * time.Millisecond
	if elapsed < want*9/10 || elapsed > want*3/2 {
		t.Fatalf("%v of audio passed through in %v of wall time; the WAV device does not run in real time", want, elapsed)
	}
	out, rate, err := ReadWAV(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if rate != SampleRate || len(out) < len(in) {
		t.Fatalf("OUT.wav has %d samples at %d Hz, want at least the input's %d at 48 kHz", len(out), rate, len(in))
	}

	// Find the delay by normalised cross-correlation over a loud stretch.
	start := 0
	for start < len(in) && math.Abs(float64(in[start])) < 3000 {
		start++
	}
	const window, maxLag = 4096, 8 * FrameSamples
	if start+window+maxLag > len(in) {
		t.Fatal("speech-a.wav has no loud stretch to correlate")
	}
	lag, best := -1, 0.0
	for l := 0; l <= maxLag; l++ {
		if c := ncc(in[start:start+window], out[start+l:start+l+window]); c > best {
			lag, best = l, c
		}
	}
	t.Logf("delay %d samples (%.2f frames), correlation %.6f, stats %+v", lag, float64(lag)/FrameSamples, best, st)
	if best < 0.999 || lag < 0 {
		t.Fatalf("the best correlation of output with input within %d frames is %.4f at %d samples; the output is not the input delayed", maxLag/FrameSamples, best, lag)
	}
	if st.Underruns == 0 && st.Dropped == 0 && st.Overruns == 0 {
		// No glitch: every sample must be there, bit for bit.
		for i, v := range in {
			if out[lag+i] != v {
				t.Fatalf("with no glitches counted, output sample %d is %d, input sample %d is %d", lag+i, out[lag+i], i, v)
			}
		}
		return
	}
	// Glitches shift the delay; each half second must still match exactly
	// at some delay no shorter than the first and within the window.
	matched, chunks := 0, 0
	for p := 0; p+512 < len(in); p += SampleRate / 2 {
		if rms(in[p:p+512]) < 0.01 {
			continue
		}
		chunks++
		for l := lag; l <= lag+maxLag && p+l+512 <= len(out); l++ {
			if equal(in[p:p+512], out[p+l:p+l+512]) {
				matched++
				break
			}
		}
	}
	if matched < chunks*9/10 {
		t.Fatalf("with glitches %+v only %d of %d loud half-seconds appear in the output", st, matched, chunks)
	}
}

// ncc is the normalised cross-correlation of two equal-length signals.
func ncc(a, b []int16) float64 {
	var ab, aa, bb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

func equal(a, b []int16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestWAVOutputReadableWhileRunning checks OUT.wav is a valid file at every
// flush, before Stop (what a crash would leave).
func TestWAVOutputReadableWhileRunning(t *testing.T) {
	t.Parallel()
	inPath := writeFile(t, "in.wav", wavBytes(SampleRate, 1, 16, sine(SampleRate, SampleRate, 440, 10000)))
	outPath := filepath.Join(t.TempDir(), "out.wav")
	dev, err := NewWAV(inPath, outPath, WAVOptions{Flush: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var played int
	err = dev.Start(func(out, in []int16) {
		mu.Lock()
		defer mu.Unlock()
		for i := range out {
			out[i] = int16(played + i)
		}
		played += len(out)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Stop()
	var got []int16
	if !within(5*time.Second, func() bool {
		got, _, err = ReadWAV(outPath)
		return err == nil && len(got) >= 5*FrameSamples
	}) {
		t.Fatalf("OUT.wav did not become a readable file with audio while the device ran (last: %d samples, %v)", len(got), err)
	}
	for i, v := range got {
		if v != int16(i) {
			t.Fatalf("OUT.wav sample %d is %d, want %d", i, v, int16(i))
		}
	}
	if err := dev.Stop(); err != nil {
		t.Fatal(err)
	}
	final, _, err := ReadWAV(outPath)
	mu.Lock()
	defer mu.Unlock()
	if err != nil || len(final) != played {
		t.Fatalf("after Stop OUT.wav has %d samples (%v), the device played %d", len(final), err, played)
	}
}

// TestWAVRestartAppends stops and restarts a WAV device and checks both
// files carry on where they stopped.
func TestWAVRestartAppends(t *testing.T) {
	t.Parallel()
	ramp := make([]int16, SampleRate)
	for i := range ramp {
		ramp[i] = int16(i)
	}
	inPath := writeFile(t, "in.wav", wavBytes(SampleRate, 1, 16, ramp))
	outPath := filepath.Join(t.TempDir(), "out.wav")
	dev, err := NewWAV(inPath, outPath, WAVOptions{PeriodSamples: 480})
	if err != nil {
		t.Fatal(err)
	}
	var n sync.WaitGroup
	for round := range 2 {
		var got atomicCount
		n.Add(1)
		var once sync.Once
		err := dev.Start(func(out, in []int16) {
			copy(out, in) // play back what is captured
			if got.add(len(in)) >= 5*480 {
				once.Do(n.Done)
			}
		})
		if err != nil {
			t.Fatalf("start %d: %v", round, err)
		}
		n.Wait()
		if err := dev.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := ReadWAV(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10*480 {
		t.Fatalf("two runs of at least 5 periods wrote only %d samples", len(out))
	}
	for i, v := range out {
		if v != int16(i) {
			t.Fatalf("after a restart OUT.wav sample %d is %d, want %d (the input carried on)", i, v, int16(i))
		}
	}
}

// atomicCount is a counter shared with a device callback.
type atomicCount struct {
	mu sync.Mutex
	n  int
}

func (c *atomicCount) add(d int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += d
	return c.n
}

func TestNewWAVRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewWAV(filepath.Join(dir, "missing.wav"), filepath.Join(dir, "o.wav"), WAVOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing input gave %v, want ErrNotExist", err)
	}
	eight := writeFile(t, "8.wav", wavBytes(SampleRate, 1, 8, make([]int16, 100)))
	if _, err := NewWAV(eight, filepath.Join(dir, "o.wav"), WAVOptions{}); !errors.Is(err, ErrUnsupportedWAV) {
		t.Fatalf("an 8-bit input gave %v, want ErrUnsupportedWAV", err)
	}
	ok := writeFile(t, "ok.wav", wavBytes(SampleRate, 1, 16, make([]int16, 100)))
	if _, err := NewWAV(ok, "", WAVOptions{PeriodSamples: -1}); err == nil {
		t.Fatal("a negative period was accepted")
	}
}

// TestSwapKeepsFramesFlowing moves a running Stream from the null device to
// a WAV device playing a 1 kHz sine (1024-sample periods) and back, and
// checks frames keep coming and the sine arrives from the new device.
func TestSwapKeepsFramesFlowing(t *testing.T) {
	t.Parallel()
	null1, err := NewMalgo(MalgoConfig{Backend: "null"})
	if err != nil {
		t.Fatal(err)
	}
	inPath := writeFile(t, "sine.wav", wavBytes(SampleRate, 1, 16, sine(10*SampleRate, SampleRate, 1000, 16000)))
	wav, err := NewWAV(inPath, "", WAVOptions{PeriodSamples: 1024})
	if err != nil {
		t.Fatal(err)
	}
	s := NewStream(null1, StreamOptions{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if a := readFrames(t, s, 10, 5*time.Second); rms(a) != 0 {
		t.Fatalf("the null device captured sound (RMS %.4f), want silence", rms(a))
	}
	if err := s.Swap(wav); err != nil {
		t.Fatal(err)
	}
	if s.DeviceName() != wav.Name() {
		t.Fatalf("after Swap the stream is on %q, want %q", s.DeviceName(), wav.Name())
	}
	b := readFrames(t, s, 30, 5*time.Second)
	tail := b[len(b)-10*FrameSamples:] // past anything the null device left queued
	if p := goertzel(tail, SampleRate, 1000); p < 0.01 {
		t.Fatalf("after swapping to the WAV device the 1 kHz input has power %.4f in the captured frames, want it there", p)
	}
	null2, err := NewMalgo(MalgoConfig{Backend: "null"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Swap(null2); err != nil {
		t.Fatal(err)
	}
	c := readFrames(t, s, 30, 5*time.Second)
	if rms(c[len(c)-10*FrameSamples:]) != 0 {
		t.Fatal("after swapping back to the null device the stream still captures the sine")
	}
}
