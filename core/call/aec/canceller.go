package aec

/*
#cgo pkg-config: speexdsp
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

static int aec_echo_set(SpeexEchoState *st, int req, int v) { return speex_echo_ctl(st, req, &v); }
static int aec_pre_set(SpeexPreprocessState *st, int req, int v) { return speex_preprocess_ctl(st, req, &v); }
static int aec_pre_set_echo(SpeexPreprocessState *st, SpeexEchoState *echo) {
	return speex_preprocess_ctl(st, SPEEX_PREPROCESS_SET_ECHO_STATE, echo);
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Canceller is a speexdsp echo canceller and preprocessor for one call's
// microphone. One goroutine owns it.
type Canceller struct {
	cfg     Config
	echo    *C.SpeexEchoState       // nil after Close
	pre     *C.SpeexPreprocessState // nil when the preprocessor is off or after Close
	scratch []int16                 // the echo canceller's output, so out may alias near
}

// New sets up a Canceller for cfg.
func New(cfg Config) (*Canceller, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Canceller{cfg: cfg, scratch: make([]int16, cfg.FrameSamples)}
	c.echo = C.speex_echo_state_init(C.int(cfg.FrameSamples), C.int(cfg.filterSamples()))
	if c.echo == nil {
		return nil, fmt.Errorf("aec: speex_echo_state_init(%d, %d) failed", cfg.FrameSamples, cfg.filterSamples())
	}
	if C.aec_echo_set(c.echo, C.SPEEX_ECHO_SET_SAMPLING_RATE, SampleRate) != 0 {
		c.Close()
		return nil, fmt.Errorf("aec: set echo sampling rate %d failed", SampleRate)
	}
	if err := c.initPreprocess(); err != nil {
		c.Close()
		return nil, err
	}
	cfg.Logger.Debug("aec: speexdsp canceller ready", "frame", cfg.FrameSamples,
		"filter", cfg.FilterLength, "residual", !cfg.NoResidualSuppression,
		"denoise", cfg.Denoise, "noise_db", cfg.NoiseSuppressDB)
	return c, nil
}

// initPreprocess creates the preprocessor, if the config wants one.
func (c *Canceller) initPreprocess() error {
	cfg := c.cfg
	if cfg.NoResidualSuppression && !cfg.Denoise {
		return nil
	}
	c.pre = C.speex_preprocess_state_init(C.int(cfg.FrameSamples), SampleRate)
	if c.pre == nil {
		return fmt.Errorf("aec: speex_preprocess_state_init(%d) failed", cfg.FrameSamples)
	}
	set := func(name string, req C.int, v int) error {
		if C.aec_pre_set(c.pre, req, C.int(v)) != 0 {
			return fmt.Errorf("aec: preprocess %s = %d failed", name, v)
		}
		return nil
	}
	// speexdsp suppresses residual echo only through the denoiser's gains:
	// without Denoise it runs with a 0 dB noise floor, so it leaves noise
	// alone and still takes out echo.
	noiseDB := 0
	if cfg.Denoise {
		noiseDB = cfg.NoiseSuppressDB
	}
	steps := []error{
		set("agc", C.SPEEX_PREPROCESS_SET_AGC, 0),
		set("dereverb", C.SPEEX_PREPROCESS_SET_DEREVERB, 0),
		set("denoise", C.SPEEX_PREPROCESS_SET_DENOISE, 1),
		set("noise suppress", C.SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, noiseDB),
	}
	if !cfg.NoResidualSuppression {
		if C.aec_pre_set_echo(c.pre, c.echo) != 0 {
			steps = append(steps, fmt.Errorf("aec: preprocess echo state failed"))
		}
		if cfg.EchoSuppressDB != 0 {
			steps = append(steps, set("echo suppress", C.SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, cfg.EchoSuppressDB))
		}
		if cfg.EchoSuppressActiveDB != 0 {
			steps = append(steps, set("echo suppress active", C.SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, cfg.EchoSuppressActiveDB))
		}
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	return nil
}

// FrameSamples is the frame length Process takes, in samples.
func (c *Canceller) FrameSamples() int { return c.cfg.FrameSamples }

// Process writes to out the microphone frame near with the echo of far
// removed; far is what the speaker played for the same frame. All three
// have exactly FrameSamples samples (Process panics otherwise); out may be
// near itself. It does not allocate.
func (c *Canceller) Process(near, far, out []int16) {
	n := c.cfg.FrameSamples
	if len(near) != n || len(far) != n || len(out) != n {
		panic(fmt.Sprintf("aec: Process with frames of %d, %d and %d samples, configured for %d",
			len(near), len(far), len(out), n))
	}
	if c.echo == nil {
		clear(out)
		return
	}
	// The slices hold no Go pointers and C keeps none of them past the call.
	sc := (*C.spx_int16_t)(unsafe.Pointer(&c.scratch[0]))
	C.speex_echo_cancellation(c.echo,
		(*C.spx_int16_t)(unsafe.Pointer(&near[0])),
		(*C.spx_int16_t)(unsafe.Pointer(&far[0])), sc)
	if c.pre != nil {
		C.speex_preprocess_run(c.pre, sc)
	}
	copy(out, c.scratch)
}

// Reset forgets the learned echo path and noise (after a device change or a
// long pause of the playback). It allocates; call it off the audio path or
// between frames.
func (c *Canceller) Reset() {
	if c.echo == nil {
		return
	}
	C.speex_echo_state_reset(c.echo)
	if c.pre != nil {
		// speexdsp has no preprocessor reset: make a new one.
		C.speex_preprocess_state_destroy(c.pre)
		c.pre = nil
		if err := c.initPreprocess(); err != nil {
			c.cfg.Logger.Warn("aec: preprocessor lost on reset", "err", err)
			if c.pre != nil {
				C.speex_preprocess_state_destroy(c.pre)
				c.pre = nil
			}
		}
	}
}

// Close frees the C state; a second Close does nothing.
func (c *Canceller) Close() {
	if c.pre != nil {
		C.speex_preprocess_state_destroy(c.pre)
		c.pre = nil
	}
	if c.echo != nil {
		C.speex_echo_state_destroy(c.echo)
		c.echo = nil
	}
}
