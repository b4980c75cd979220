package aec

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// SampleRate is the only rate a Canceller runs at, in samples per second.
const SampleRate = 48000

// Defaults used when a Config field is left zero.
const (
	DefaultFrameSamples    = 960                    // 20 ms at 48 kHz
	DefaultFilterLength    = 200 * time.Millisecond // echo tail the filter covers
	DefaultNoiseSuppressDB = -30                    // denoise attenuation limit
)

// ErrConfig is wrapped by New's errors about an unusable Config.
var ErrConfig = errors.New("aec: bad config")

// Config sets up a Canceller; the zero value of every field but Denoise
// picks a default.
type Config struct {
	// FrameSamples is the frame length in samples: 960 (20 ms) or 480 (10 ms).
	FrameSamples int
	// FilterLength is the echo tail the adaptive filter covers (delay from
	// speaker to microphone plus room reverberation), 20 ms to 1 s.
	FilterLength time.Duration
	// Denoise turns on the preprocessor's stationary noise suppression.
	Denoise bool
	// NoiseSuppressDB is the most the denoiser attenuates noise, in dB
	// (negative, -1 to -70; Jami uses -50).
	NoiseSuppressDB int
	// NoResidualSuppression skips the preprocessor's residual echo
	// suppression (for measurement; a call wants it on).
	NoResidualSuppression bool
	// EchoSuppressDB is the most residual echo is attenuated while the near
	// end is silent, in dB (negative; 0 keeps speexdsp's -40).
	EchoSuppressDB int
	// EchoSuppressActiveDB is the same while the near end talks (negative;
	// 0 keeps speexdsp's -15).
	EchoSuppressActiveDB int
	// Logger receives setup messages; nil discards them.
	Logger *slog.Logger
}

// withDefaults fills zero fields and checks the result.
func (c Config) withDefaults() (Config, error) {
	if c.FrameSamples == 0 {
		c.FrameSamples = DefaultFrameSamples
	}
	if c.FilterLength == 0 {
		c.FilterLength = DefaultFilterLength
	}
	if c.NoiseSuppressDB == 0 {
		c.NoiseSuppressDB = DefaultNoiseSuppressDB
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.FrameSamples != 480 && c.FrameSamples != 960:
		return c, fmt.Errorf("%w: frame of %d samples, want 480 or 960", ErrConfig, c.FrameSamples)
	case c.FilterLength < 20*time.Millisecond || c.FilterLength > time.Second:
		return c, fmt.Errorf("%w: filter length %v, want 20ms to 1s", ErrConfig, c.FilterLength)
	case c.NoiseSuppressDB < -70 || c.NoiseSuppressDB > -1:
		return c, fmt.Errorf("%w: noise suppression %d dB, want -70 to -1", ErrConfig, c.NoiseSuppressDB)
	case c.EchoSuppressDB < -90 || c.EchoSuppressDB > 0:
		return c, fmt.Errorf("%w: echo suppression %d dB, want -90 to 0", ErrConfig, c.EchoSuppressDB)
	case c.EchoSuppressActiveDB < -90 || c.EchoSuppressActiveDB > 0:
		return c, fmt.Errorf("%w: active echo suppression %d dB, want -90 to 0", ErrConfig, c.EchoSuppressActiveDB)
	}
	return c, nil
}

// filterSamples is the filter length in samples.
func (c Config) filterSamples() int {
	return int(c.FilterLength * SampleRate / time.Second)
}
