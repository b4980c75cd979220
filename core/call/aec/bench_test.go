package aec

import (
	"testing"
	"time"
)

// benchConfigs are the settings the benchmarks compare.
var benchConfigs = []struct {
	name string
	cfg  Config
}{
	{"echo-only", Config{NoResidualSuppression: true}},
	{"residual", Config{}},
	{"call", Config{Denoise: true}}, // the call settings
	{"jami", Config{Denoise: true, NoiseSuppressDB: -50, FilterLength: 320 * time.Millisecond}},
	{"call-10ms", Config{Denoise: true, FrameSamples: 480}},
}

// BenchmarkProcess times one frame on the simulated call's audio and reports
// the share of one core it takes in real time.
func BenchmarkProcess(b *testing.B) {
	s, err := speech()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range benchConfigs {
		b.Run(bc.name, func(b *testing.B) {
			c, err := New(bc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			f := c.FrameSamples()
			sc := newScene(s[0], s[1], SimConfig{FrameSamples: f}.withDefaults())
			out := make([]int16, f)
			frames := len(sc.mic) / f
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				at := (i % frames) * f
				c.Process(sc.mic[at:at+f], sc.far[at:at+f], out)
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(100*ns/(float64(f)/SampleRate*1e9), "%core")
		})
	}
}

// BenchmarkMeasure prints Measure's figures for each setting: run with
// -run '^$' -bench Measure -benchtime 1x -v.
func BenchmarkMeasure(b *testing.B) {
	s, err := speech()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range benchConfigs {
		b.Run(bc.name, func(b *testing.B) {
			frame := bc.cfg.FrameSamples
			if frame == 0 {
				frame = DefaultFrameSamples
			}
			var r Result
			for range b.N {
				r, err = Measure(s[0], s[1], SimConfig{FrameSamples: frame},
					func() (Processor, error) { return New(bc.cfg) })
				if err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("%s", r)
			b.ReportMetric(r.ERLE, "ERLE-dB")
			b.ReportMetric(r.NearOnly.SegSNR, "near-segSNR-dB")
			b.ReportMetric(r.DoubleTalk.SegSNR, "dt-segSNR-dB")
			b.ReportMetric(r.NsPerFrame, "ns/frame")
		})
	}
}
