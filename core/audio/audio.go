package audio

import "errors"

// The call pipeline's audio format: 48 kHz mono signed 16-bit, 20 ms frames.
const (
	SampleRate   = 48000
	FrameSamples = SampleRate / 50 // 960 samples = 20 ms
)

// Frame is 20 ms of 48 kHz mono audio.
type Frame [FrameSamples]int16

// Callback runs on a device's audio thread once per period. It must fill out
// completely (len(out) samples of playback) and may read in (the same period
// of capture). Either slice may be empty; both are only valid during the
// call. It must not block or allocate.
type Callback func(out, in []int16)

// Device is a duplex audio endpoint driven by its own clock.
type Device interface {
	// Start begins calling cb every period until Stop. A device may be
	// started again after Stop.
	Start(cb Callback) error
	// Stop ends the callbacks; when it returns cb is not running and will
	// not be called again. Stopping a stopped device does nothing.
	Stop() error
	// Name describes the device for logs and the UI.
	Name() string
}

// Errors callers can act on.
var (
	ErrRunning = errors.New("audio: device already started")
	ErrClosed  = errors.New("audio: stream closed")
)
