package aec

import (
	"math"
	"sync"
	"testing"
	"tincan/core/audio"
)

const (
	speechFar  = "../../../assets/speech/speech-a.wav"
	speechNear = "../../../assets/speech/speech-b.wav"
)

// speech loads the two test voices once.
var speech = sync.OnceValues(func() ([2][]int16, error) {
	near, _, err := audio.ReadWAV(speechNear)
	if err != nil {
		return [2][]int16{}, err
	}
	far, _, err := audio.ReadWAV(speechFar)
	return [2][]int16{near, far}, err
})

// measure runs Measure on the test voices (far silent if silentFar).
func measure(t *testing.T, silentFar bool, newProc func() (Processor, error)) Result {
	t.Helper()
	s, err := speech()
	if err != nil {
		t.Fatalf("loading the speech WAVs: %v", err)
	}
	far := s[1]
	if silentFar {
		far = make([]int16, len(far))
	}
	r, err := Measure(s[0], far, SimConfig{}, newProc)
	if err != nil {
		t.Fatalf("Measure: %v", err)
	}
	t.Logf("%s", r)
	return r
}

func speex(cfg Config) func() (Processor, error) {
	return func() (Processor, error) { return New(cfg) }
}

var (
	defaultOnce   sync.Once
	defaultResult Result
)

// measureDefault measures the call settings (denoise on) once for the tests
// that read it.
func measureDefault(t *testing.T) Result {
	t.Helper()
	defaultOnce.Do(func() { defaultResult = measure(t, false, speex(Config{Denoise: true})) })
	if defaultResult.Frames == 0 {
		t.Fatal("the shared measurement of the call settings failed")
	}
	return defaultResult
}

// delayLine passes the microphone through, late by a whole number of frames.
type delayLine struct{ buf []int16 }

func (d *delayLine) Process(near, far, out []int16) {
	d.buf = append(d.buf, near...)
	copy(out, d.buf[:len(out)])
	d.buf = d.buf[len(out):]
}
func (d *delayLine) Close() {}

func TestMeasureOfAPassThrough(t *testing.T) {
	t.Parallel()
	r := measure(t, false, func() (Processor, error) { return &delayLine{buf: make([]int16, 960)}, nil })
	if r.LatencySamples != 960 {
		t.Errorf("a pass-through late by one frame measured %d samples of latency, want 960", r.LatencySamples)
	}
	if math.Abs(r.ERLE) > 0.5 {
		t.Errorf("a pass-through measured an ERLE of %.1f dB, want about 0", r.ERLE)
	}
	if r.NearOnly.SegSNR < 30 || r.NearOnly.LSD > 1 || math.Abs(r.NearGainDB) > 0.1 {
		t.Errorf("a pass-through measured near-end distortion: %+v, gain %.2f dB", r.NearOnly, r.NearGainDB)
	}
	if r.DoubleTalk.SegSNR > 15 || r.DoubleTalk.LSD < 4 {
		t.Errorf("a pass-through hid the echo under double talk: %+v", r.DoubleTalk)
	}
}

func TestERLEWithResidualSuppression(t *testing.T) {
	t.Parallel()
	with := measureDefault(t)
	without := measure(t, false, speex(Config{NoResidualSuppression: true}))
	if with.ERLE < 20 || with.ERLEAfterTalk < 20 {
		t.Errorf("with the preprocessor ERLE is %.1f dB (%.1f dB after double talk), want more than 20 dB",
			with.ERLE, with.ERLEAfterTalk)
	}
	if without.ERLE < 10 {
		t.Errorf("the echo canceller alone gives an ERLE of %.1f dB, want more than 10 dB", without.ERLE)
	}
	if with.ERLE < without.ERLE+6 {
		t.Errorf("the preprocessor adds only %.1f dB of ERLE (%.1f vs %.1f dB)", with.ERLE-without.ERLE, with.ERLE, without.ERLE)
	}
}

func TestNearEndSpeechPasses(t *testing.T) {
	t.Parallel()
	r := measureDefault(t)
	if r.NearOnly.Frames < 100 || r.DoubleTalk.Frames < 100 {
		t.Fatalf("too few near-end frames measured: %d alone, %d in double talk", r.NearOnly.Frames, r.DoubleTalk.Frames)
	}
	if r.NearOnly.SegSNR < 20 || r.NearOnly.LSD > 2.5 || math.Abs(r.NearGainDB) > 1.5 {
		t.Errorf("near-end speech alone is distorted: segSNR %.1f dB, LSD %.2f dB, gain %.1f dB",
			r.NearOnly.SegSNR, r.NearOnly.LSD, r.NearGainDB)
	}
	if r.DoubleTalk.SegSNR < r.DoubleTalkIn.SegSNR+5 || r.DoubleTalk.LSD > r.DoubleTalkIn.LSD-2 {
		t.Errorf("under double talk the output (segSNR %.1f dB, LSD %.2f dB) is not clearly better than the microphone (%.1f dB, %.2f dB)",
			r.DoubleTalk.SegSNR, r.DoubleTalk.LSD, r.DoubleTalkIn.SegSNR, r.DoubleTalkIn.LSD)
	}
	if r.LatencySamples > 960 {
		t.Errorf("the canceller delays the near end by %d samples, more than a frame", r.LatencySamples)
	}
}

func TestSilentFarEndLeavesNearEndAlone(t *testing.T) {
	t.Parallel()
	r := measure(t, true, speex(Config{Denoise: true}))
	if !math.IsNaN(r.ERLE) {
		t.Errorf("with a silent far end ERLE is %.1f dB, want NaN (no echo to measure)", r.ERLE)
	}
	for name, q := range map[string]Quality{"first": r.NearOnly, "second": r.DoubleTalk} {
		if q.SegSNR < 20 || q.LSD > 2.5 {
			t.Errorf("with a silent far end the %s near-end stretch is distorted: segSNR %.1f dB, LSD %.2f dB", name, q.SegSNR, q.LSD)
		}
	}
	if math.Abs(r.NearGainDB) > 1.5 {
		t.Errorf("with a silent far end the near end's level changed by %.1f dB", r.NearGainDB)
	}
}

func TestMeasureWithoutNearSpeechFails(t *testing.T) {
	t.Parallel()
	if _, err := Measure(nil, []int16{1}, SimConfig{}, speex(Config{})); err != ErrNoSpeech {
		t.Errorf("Measure without near speech returned %v, want ErrNoSpeech", err)
	}
}
