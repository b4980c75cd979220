package aec

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// noiseFrames makes n frames of seeded noise at a speech-like level.
func noiseFrames(seed uint64, n, frame int) [][]int16 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([][]int16, n)
	for i := range out {
		out[i] = make([]int16, frame)
		for j := range out[i] {
			out[i][j] = int16(rng.NormFloat64() * 3000)
		}
	}
	return out
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{FrameSamples: 512},
		{FrameSamples: -960},
		{FilterLength: 5 * time.Millisecond},
		{FilterLength: 2 * time.Second},
		{Denoise: true, NoiseSuppressDB: 10},
		{EchoSuppressDB: 5},
		{EchoSuppressActiveDB: -200},
	} {
		c, err := New(cfg)
		if err == nil {
			c.Close()
			t.Errorf("New(%+v) succeeded, want an error", cfg)
		} else if !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) failed with %v, which does not wrap ErrConfig", cfg, err)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	c, err := New(Config{})
	if err != nil {
		t.Fatalf("New with the zero Config failed: %v", err)
	}
	defer c.Close()
	if c.FrameSamples() != 960 {
		t.Errorf("the zero Config gave frames of %d samples, want 960", c.FrameSamples())
	}
	c10, err := New(Config{FrameSamples: 480, Denoise: true, NoiseSuppressDB: -50})
	if err != nil {
		t.Fatalf("New with 10 ms frames failed: %v", err)
	}
	defer c10.Close()
	if c10.FrameSamples() != 480 {
		t.Errorf("a 480-sample Config gave frames of %d samples", c10.FrameSamples())
	}
}

func TestProcessDoesNotAllocate(t *testing.T) {
	for _, cfg := range []Config{{}, {Denoise: true}, {NoResidualSuppression: true}} {
		c, err := New(cfg)
		if err != nil {
			t.Fatalf("New(%+v): %v", cfg, err)
		}
		frames := noiseFrames(1, 2, c.FrameSamples())
		out := make([]int16, c.FrameSamples())
		allocs := testing.AllocsPerRun(50, func() { c.Process(frames[0], frames[1], out) })
		c.Close()
		if allocs != 0 {
			t.Errorf("Process with %+v allocated %v times per frame, want 0", cfg, allocs)
		}
	}
}

func TestProcessPanicsOnWrongFrameSize(t *testing.T) {
	t.Parallel()
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ok := make([]int16, 960)
	for _, sizes := range [][3]int{{480, 960, 960}, {960, 961, 960}, {960, 960, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Process with frames of %v samples did not panic", sizes)
				}
			}()
			c.Process(make([]int16, sizes[0]), make([]int16, sizes[1]), make([]int16, sizes[2]))
		}()
	}
	c.Process(ok, ok, ok) // still usable
}

func TestCloseTwiceThenProcessWritesSilence(t *testing.T) {
	t.Parallel()
	c, err := New(Config{Denoise: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c.Close()
	c.Reset()
	near := noiseFrames(2, 1, 960)[0]
	out := slices.Clone(near)
	c.Process(near, near, out)
	if slices.ContainsFunc(out, func(v int16) bool { return v != 0 }) {
		t.Error("Process after Close wrote something other than silence")
	}
	if c.echo != nil || c.pre != nil {
		t.Error("Close left a C state pointer set")
	}
}

// run feeds frames through c (near i with far i) and returns the outputs;
// inPlace writes each output over its near frame.
func run(c *Canceller, near, far [][]int16, inPlace bool) [][]int16 {
	outs := make([][]int16, len(near))
	for i := range near {
		n := slices.Clone(near[i])
		out := n
		if !inPlace {
			out = make([]int16, len(n))
		}
		c.Process(n, far[i], out)
		outs[i] = out
	}
	return outs
}

func TestProcessInPlaceMatchesSeparateOutput(t *testing.T) {
	t.Parallel()
	far := noiseFrames(3, 60, 960)
	near := make([][]int16, len(far))
	for i := range near { // an echo: far, one frame late, halved
		near[i] = make([]int16, 960)
		if i > 0 {
			for j, v := range far[i-1] {
				near[i][j] = v / 2
			}
		}
	}
	a, _ := New(Config{Denoise: true})
	b, _ := New(Config{Denoise: true})
	defer a.Close()
	defer b.Close()
	sep, in := run(a, near, far, false), run(b, near, far, true)
	for i := range sep {
		if !slices.Equal(sep[i], in[i]) {
			t.Fatalf("frame %d differs when out is near itself", i)
		}
	}
}

func TestResetStartsOver(t *testing.T) {
	t.Parallel()
	far := noiseFrames(4, 40, 960)
	near := noiseFrames(5, 40, 960)
	used, _ := New(Config{Denoise: true})
	fresh, _ := New(Config{Denoise: true})
	defer used.Close()
	defer fresh.Close()
	run(used, near, far, false)
	used.Reset()
	got, want := run(used, near, far, false), run(fresh, near, far, false)
	for i := range got {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("after Reset, frame %d differs from a new Canceller's", i)
		}
	}
}
