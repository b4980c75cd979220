//go:build webrtcaec

package webrtccmp

/*
#cgo pkg-config: webrtc-audio-processing
#cgo CXXFLAGS: -std=c++11
#include "apm.h"
*/
import "C"

import (
	"fmt"
	"time"
	"unsafe"
)

// chunk is the 10 ms the module processes at a time, at 48 kHz.
const chunk = 480

// Config chooses the module's components.
type Config struct {
	FrameSamples   int           // frame length Process takes: a multiple of 480 (960)
	Delay          time.Duration // speaker-to-microphone delay told to the AEC
	Mobile         bool          // AECM (the mobile canceller) instead of the full AEC
	AECLevel       int           // full AEC suppression: 0 low, 1 moderate, 2 high
	NoiseLevel     int           // noise suppression: -1 off, 0 low .. 3 very high
	ExtendedFilter bool          // longer echo tail
	DelayAgnostic  bool          // let the AEC estimate the delay
	HighPass       bool          // high-pass filter on the microphone
}

// APM is the module as an aec.Processor.
type APM struct {
	w       *C.wapm
	frame   int
	lastErr int // last webrtc error code from Process, 0 if none
}

// New creates the module for cfg.
func New(cfg Config) (*APM, error) {
	if cfg.FrameSamples == 0 {
		cfg.FrameSamples = 960
	}
	if cfg.FrameSamples%chunk != 0 || cfg.FrameSamples <= 0 {
		return nil, fmt.Errorf("webrtccmp: frame of %d samples is not a multiple of %d", cfg.FrameSamples, chunk)
	}
	b := func(v bool) C.int {
		if v {
			return 1
		}
		return 0
	}
	aecMode := C.int(1)
	if cfg.Mobile {
		aecMode = 2
	}
	cc := C.wapm_config{
		delay_ms: C.int(cfg.Delay.Milliseconds()), aec: aecMode, aec_level: C.int(cfg.AECLevel),
		ns_level: C.int(cfg.NoiseLevel), extended_filter: b(cfg.ExtendedFilter),
		delay_agnostic: b(cfg.DelayAgnostic), high_pass: b(cfg.HighPass),
	}
	var errCode C.int
	w := C.wapm_new(&cc, &errCode)
	if w == nil {
		return nil, fmt.Errorf("webrtccmp: create audio processing: webrtc error %d", int(errCode))
	}
	return &APM{w: w, frame: cfg.FrameSamples}, nil
}

// Process cleans one frame of microphone audio near given the played far;
// out may be near. It panics on a frame of another size.
func (a *APM) Process(near, far, out []int16) {
	if len(near) != a.frame || len(far) != a.frame || len(out) != a.frame {
		panic(fmt.Sprintf("webrtccmp: Process with frames of %d, %d and %d samples, configured for %d",
			len(near), len(far), len(out), a.frame))
	}
	if a.w == nil {
		clear(out)
		return
	}
	if r := C.wapm_process(a.w, (*C.int16_t)(unsafe.Pointer(&near[0])), (*C.int16_t)(unsafe.Pointer(&far[0])),
		(*C.int16_t)(unsafe.Pointer(&out[0])), C.int(a.frame)); r != 0 {
		a.lastErr = int(r)
	}
}

// LastError is the last webrtc error code Process saw (0: none).
func (a *APM) LastError() int { return a.lastErr }

// Close frees the module; a second Close does nothing.
func (a *APM) Close() {
	if a.w != nil {
		C.wapm_free(a.w)
		a.w = nil
	}
}
