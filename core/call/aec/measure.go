package aec

import (
	"errors"
	"fmt"
	"math"
	"time"
	"tincan/core/audio"
)

// Processor is an echo canceller as Measure drives it: Process takes one
// frame of microphone (near) and played (far) audio and writes the cleaned
// frame to out; Close frees it.
type Processor interface {
	Process(near, far, out []int16)
	Close()
}

// Result is what Measure found.
type Result struct {
	ERLE           float64 // echo return loss enhancement in dB over the far-only frames after convergence (NaN without echo)
	ERLEAfterTalk  float64 // the same over the far-only frames after the double talk
	NearOnly       Quality // output against clean near-end speech where only the near end talks
	DoubleTalk     Quality // the same where both talk
	NearOnlyInput  Quality // the microphone itself against clean near-end speech (no processing)
	DoubleTalkIn   Quality // the same where both talk
	NearGainDB     float64 // output over clean near-end energy where only the near end talks
	LatencySamples int     // delay the processor adds to the near end, in samples
	NsPerFrame     float64 // processing time per frame
	CPUPercent     float64 // processing time as a share of one core in real time
	Frames         int     // frames processed
}

// String prints the figures on one line.
func (r Result) String() string {
	return fmt.Sprintf("ERLE %.1f dB (after double talk %.1f dB); near-only segSNR %.1f dB LSD %.2f dB gain %+.1f dB; "+
		"double-talk segSNR %.1f dB LSD %.2f dB (unprocessed %.1f dB, %.2f dB); latency %d samples; %.0f ns/frame = %.3f %% of a core",
		r.ERLE, r.ERLEAfterTalk, r.NearOnly.SegSNR, r.NearOnly.LSD, r.NearGainDB,
		r.DoubleTalk.SegSNR, r.DoubleTalk.LSD, r.DoubleTalkIn.SegSNR, r.DoubleTalkIn.LSD,
		r.LatencySamples, r.NsPerFrame, r.CPUPercent)
}

// ErrNoSpeech is returned by Measure when the near-end speech is empty.
var ErrNoSpeech = errors.New("aec: no near-end speech to measure")

// Measure simulates a call from near-end and far-end speech (48 kHz mono;
// each looped as needed): six seconds of far end alone, three of near end
// alone, four of double talk, four of far end, three of near end. The far
// end reaches the microphone through a synthetic room, a delay and a gain,
// with white noise added. A Processor made by newProc cleans each frame, and
// Measure compares its output with the echo and the clean near end. A far
// end of silence is allowed (ERLE is then NaN).
func Measure(near, far []int16, sim SimConfig, newProc func() (Processor, error)) (Result, error) {
	sim = sim.withDefaults()
	if len(near) == 0 {
		return Result{}, ErrNoSpeech
	}
	sc := newScene(near, far, sim)
	p, err := newProc()
	if err != nil {
		return Result{}, fmt.Errorf("measure: new processor: %w", err)
	}
	defer p.Close()
	f := sim.FrameSamples
	out := make([]int16, len(sc.mic))
	start := time.Now()
	for i := 0; i+f <= len(sc.mic); i += f {
		p.Process(sc.mic[i:i+f], sc.far[i:i+f], out[i:i+f])
	}
	elapsed := time.Since(start)
	got := make([]float64, len(out))
	for i, v := range out {
		got[i] = float64(v)
	}
	mic := make([]float64, len(sc.mic))
	for i, v := range sc.mic {
		mic[i] = float64(v)
	}
	r := Result{Frames: len(sc.who)}
	r.NsPerFrame = float64(elapsed.Nanoseconds()) / float64(r.Frames)
	r.CPUPercent = 100 * r.NsPerFrame / (float64(f) / SampleRate * 1e9)
	r.LatencySamples = bestLag(sc, got, 2*f)
	got = append(got[r.LatencySamples:], make([]float64, r.LatencySamples)...)
	r.ERLE, r.ERLEAfterTalk = erle(sc, got, samples(sim.Converge)/f)

	peak := 0.0
	for fr := range sc.who {
		peak = max(peak, energy(sc.near[fr*f:(fr+1)*f]))
	}
	sp := newSpectra(f)
	eq := equalise(sc, got)
	r.NearOnly = quality(sc, got, eq, nearOnly, sp, peak)
	r.DoubleTalk = quality(sc, got, eq, doubleTalk, sp, peak)
	r.NearOnlyInput = quality(sc, mic, sc.near, nearOnly, sp, peak)
	r.DoubleTalkIn = quality(sc, mic, sc.near, doubleTalk, sp, peak)
	var eIn, eOut float64
	for fr, w := range sc.who {
		if w != nearOnly {
			continue
		}
		eIn += energy(sc.near[fr*f : (fr+1)*f])
		eOut += energy(got[fr*f : (fr+1)*f])
	}
	r.NearGainDB = 10 * math.Log10(eOut/eIn)
	return r, nil
}

// erle sums echo and output energy (aligned) over the far-only frames from
// frame skip on, and over those after the first double talk.
func erle(sc *scene, got []float64, skip int) (all, afterTalk float64) {
	f := sc.frame
	var echoAll, outAll, echoAfter, outAfter float64
	talked := false
	for fr, w := range sc.who {
		if w == doubleTalk {
			talked = true
		}
		if w != farOnly || fr < skip {
			continue
		}
		e := energy(sc.echo[fr*f : (fr+1)*f])
		o := energy(got[fr*f : (fr+1)*f])
		echoAll += e
		outAll += o
		if talked {
			echoAfter += e
			outAfter += o
		}
	}
	db := func(e, o float64) float64 {
		if e == 0 {
			return math.NaN()
		}
		return 10 * math.Log10(e/max(o, 1e-9))
	}
	return db(echoAll, outAll), db(echoAfter, outAfter)
}

// MeasureFiles is Measure on two canonical 48 kHz mono 16-bit WAV files.
func MeasureFiles(nearPath, farPath string, sim SimConfig, newProc func() (Processor, error)) (Result, error) {
	near, _, err := audio.ReadWAV(nearPath)
	if err != nil {
		return Result{}, fmt.Errorf("measure: %w", err)
	}
	far, _, err := audio.ReadWAV(farPath)
	if err != nil {
		return Result{}, fmt.Errorf("measure: %w", err)
	}
	return Measure(near, far, sim, newProc)
}
