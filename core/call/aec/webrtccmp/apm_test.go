//go:build webrtcaec

package webrtccmp

import (
	"math"
	"testing"
	"time"

	"tincan/core/call/aec"
)

const (
	speechFar  = "../../../../assets/speech/speech-a.wav"
	speechNear = "../../../../assets/speech/speech-b.wav"
)

// simDelay is the echo delay aec.Measure simulates by default (40 ms of
// path plus 20 ms of device buffer).
const simDelay = 60 * time.Millisecond

// variants are the module settings measured.
var variants = []struct {
	name string
	cfg  Config
}{
	{"aec-only", Config{Delay: simDelay, AECLevel: 1, NoiseLevel: -1}},
	{"aec-low+ns", Config{Delay: simDelay, AECLevel: 0, NoiseLevel: 2, HighPass: true}},
	{"aec+ns", Config{Delay: simDelay, AECLevel: 1, NoiseLevel: 2, HighPass: true}},
	{"aec-high+ns", Config{Delay: simDelay, AECLevel: 2, NoiseLevel: 2, HighPass: true}},
	{"aec-ext+agnostic+ns", Config{Delay: simDelay, AECLevel: 1, NoiseLevel: 2, HighPass: true, ExtendedFilter: true, DelayAgnostic: true}},
	{"aecm+ns", Config{Delay: simDelay, Mobile: true, NoiseLevel: 2, HighPass: true}},
}

func measureVariant(t testing.TB, cfg Config) aec.Result {
	var apm *APM
	r, err := aec.MeasureFiles(speechNear, speechFar, aec.SimConfig{}, func() (aec.Processor, error) {
		var err error
		apm, err = New(cfg)
		return apm, err
	})
	if err != nil {
		t.Fatalf("measuring %+v: %v", cfg, err)
	}
	if apm.LastError() != 0 {
		t.Errorf("the module reported webrtc error %d while processing", apm.LastError())
	}
	return r
}

func TestWebRTCCancelsEcho(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			r := measureVariant(t, v.cfg)
			t.Logf("%s", r)
			if math.IsNaN(r.ERLE) || r.ERLE < 10 {
				t.Errorf("the module's ERLE is %.1f dB, want more than 10 dB", r.ERLE)
			}
			if r.NearOnly.LSD > 5 || r.NearOnly.SegSNR < 20 {
				t.Errorf("the module distorts near-end speech alone: segSNR %.1f dB, LSD %.2f dB", r.NearOnly.SegSNR, r.NearOnly.LSD)
			}
		})
	}
}

func TestProcessDoesNotAllocate(t *testing.T) {
	a, err := New(Config{Delay: simDelay, AECLevel: 1, NoiseLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	near, far, out := make([]int16, 960), make([]int16, 960), make([]int16, 960)
	for i := range near {
		near[i], far[i] = int16(i*7%2000-1000), int16(i*13%3000-1500)
	}
	if n := testing.AllocsPerRun(50, func() { a.Process(near, far, out) }); n != 0 {
		t.Errorf("Process allocated %v times per frame, want 0", n)
	}
	a.Close()
	a.Close()
	a.Process(near, far, out)
	for _, v := range out {
		if v != 0 {
			t.Fatal("Process after Close wrote something other than silence")
		}
	}
}

func TestNewRejectsPartialChunks(t *testing.T) {
	if a, err := New(Config{FrameSamples: 500}); err == nil {
		a.Close()
		t.Error("New accepted a 500-sample frame, which is not whole 10 ms chunks")
	}
}

// BenchmarkCompare prints aec.Measure for speexdsp (call settings) and each
// module variant: go test -tags webrtcaec -run '^$' -bench Compare -benchtime 1x -v.
func BenchmarkCompare(b *testing.B) {
	report := func(b *testing.B, r aec.Result) {
		b.Logf("%s", r)
		b.ReportMetric(r.ERLE, "ERLE-dB")
		b.ReportMetric(r.NearOnly.SegSNR, "near-segSNR-dB")
		b.ReportMetric(r.DoubleTalk.SegSNR, "dt-segSNR-dB")
		b.ReportMetric(r.NsPerFrame, "ns/frame")
	}
	b.Run("speexdsp-call", func(b *testing.B) {
		var r aec.Result
		for range b.N {
			var err error
			r, err = aec.MeasureFiles(speechNear, speechFar, aec.SimConfig{}, func() (aec.Processor, error) {
				return aec.New(aec.Config{Denoise: true})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		report(b, r)
	})
	for _, v := range variants {
		b.Run("webrtc-"+v.name, func(b *testing.B) {
			var r aec.Result
			for range b.N {
				r = measureVariant(b, v.cfg)
			}
			report(b, r)
		})
	}
}

// BenchmarkCompareQuiet is BenchmarkCompare's main pair in a room without
// microphone noise, so that ERLE counts echo only, not denoising.
func BenchmarkCompareQuiet(b *testing.B) {
	quiet := aec.SimConfig{NoiseDBFS: -150}
	for _, p := range []struct {
		name    string
		newProc func() (aec.Processor, error)
	}{
		{"speexdsp-call", func() (aec.Processor, error) { return aec.New(aec.Config{Denoise: true}) }},
		{"speexdsp-echo", func() (aec.Processor, error) { return aec.New(aec.Config{NoResidualSuppression: true}) }},
		{"webrtc-aec-only", func() (aec.Processor, error) { return New(variants[0].cfg) }},
		{"webrtc-aec+ns", func() (aec.Processor, error) { return New(variants[2].cfg) }},
	} {
		newProc := p.newProc
		b.Run(p.name, func(b *testing.B) {
			var r aec.Result
			for range b.N {
				var err error
				if r, err = aec.MeasureFiles(speechNear, speechFar, quiet, newProc); err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("%s", r)
			b.ReportMetric(r.ERLE, "ERLE-dB")
		})
	}
}
