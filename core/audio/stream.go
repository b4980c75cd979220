package audio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
)

// Stream defaults and limits.
const (
	DefaultMaxQueued  = 3   // playback frames that may wait before the oldest is dropped
	DefaultMaxBacklog = 10  // captured frames that may wait for ReadFrame (200 ms)
	playRingFrames    = 16  // playback ring: MaxQueued plus the largest period we expect
	captureRingFrames = 64  // capture ring: 1.28 s, far past any backlog limit
	levelFallPerSec   = 2.0 // the level meter falls back from a peak at full scale per 0.5 s
)

// StreamOptions tune a Stream; the zero value is sound.
type StreamOptions struct {
	// MaxQueued is how many written frames may wait for the device; when
	// more wait, the oldest are dropped. DefaultMaxQueued if zero.
	MaxQueued int
	// MaxBacklog is how many captured frames may wait for ReadFrame; when
	// more wait, the oldest are dropped. DefaultMaxBacklog if zero.
	MaxBacklog int
	Logger     *slog.Logger
}

// StreamStats counts a Stream's glitches since it was made.
type StreamStats struct {
	Periods   uint64 // device callbacks run
	Overruns  uint64 // times captured audio was thrown away because ReadFrame fell behind
	Underruns uint64 // periods that played some silence because no written frame was waiting
	Dropped   uint64 // written frames thrown away: the oldest past MaxQueued, or all when nothing plays
}

// Stream adapts a Device to 20 ms frames. One goroutine at a time may call
// ReadFrame and one at a time WriteFrame (each side is serialised by its own
// mutex, never touched by the audio thread); Start, Swap, Stats, InputLevel
// and Close may be called from anywhere.
//
// Ownership: the capture ring is written by the device callback and read by
// ReadFrame; the playback ring is written by WriteFrame and read by the
// callback. Counters and the level are atomics. mu guards dev and the
// lifecycle and is never taken by the callback.
type Stream struct {
	log        *slog.Logger
	capture    *ring
	play       *ring
	wake       chan struct{} // capacity 1: "a period of capture arrived"
	done       chan struct{} // closed by Close
	cb         Callback      // s.callback, made once so starting does not allocate per call
	maxQueued  int           // samples
	maxBacklog int           // samples

	periods, overruns, underruns, dropped atomic.Uint64
	level                                 atomic.Uint64 // math.Float64bits of the meter level
	fed                                   atomic.Bool   // WriteFrame was called at least once

	// Owned by the audio thread (one callback at a time, across Swap too).
	surplus int // samples played in a row while more than a frame stayed queued

	rmu, wmu sync.Mutex

	mu      sync.Mutex
	dev     Device
	started bool
	closed  bool
}

// NewStream returns a stopped Stream on dev.
func NewStream(dev Device, opts StreamOptions) *Stream {
	if opts.MaxQueued <= 0 {
		opts.MaxQueued = DefaultMaxQueued
	}
	if opts.MaxBacklog <= 0 {
		opts.MaxBacklog = DefaultMaxBacklog
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Stream{
		log:        log,
		capture:    newRing(max(captureRingFrames, 2*opts.MaxBacklog) * FrameSamples),
		play:       newRing(max(playRingFrames, 2*opts.MaxQueued) * FrameSamples),
		wake:       make(chan struct{}, 1),
		done:       make(chan struct{}),
		maxQueued:  opts.MaxQueued * FrameSamples,
		maxBacklog: opts.MaxBacklog * FrameSamples,
		dev:        dev,
	}
	s.cb = s.callback
	return s
}

// Start starts the device.
func (s *Stream) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.started:
		return ErrRunning
	}
	if err := s.dev.Start(s.cb); err != nil {
		return fmt.Errorf("start %s: %w", s.dev.Name(), err)
	}
	s.started = true
	return nil
}

// Swap moves the Stream to dev: the current device (if started) is stopped
// and dev started in its place; queued audio in both directions is kept. If
// dev does not start, the old device is started again and the error
// returned. The old device is the caller's again afterwards.
func (s *Stream) Swap(dev Device) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if !s.started {
		s.dev = dev
		return nil
	}
	old := s.dev
	if err := old.Stop(); err != nil {
		// A lost device often fails to stop; it is stopped as far as we can.
		s.log.Warn("audio: stopping the old device", "device", old.Name(), "err", err)
	}
	if err := dev.Start(s.cb); err != nil {
		err = fmt.Errorf("start %s: %w", dev.Name(), err)
		if err2 := old.Start(s.cb); err2 != nil {
			s.started = false
			return errors.Join(err, fmt.Errorf("restart %s: %w", old.Name(), err2))
		}
		return err
	}
	s.dev = dev
	s.log.Info("audio: device swapped", "from", old.Name(), "to", dev.Name())
	return nil
}

// DeviceName is the current device's Name.
func (s *Stream) DeviceName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dev.Name()
}

// Close stops the device and ends ReadFrame with ErrClosed. It does not
// return before the device's callback has stopped for good.
func (s *Stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	if !s.started {
		return nil
	}
	s.started = false
	if err := s.dev.Stop(); err != nil {
		return fmt.Errorf("stop %s: %w", s.dev.Name(), err)
	}
	return nil
}

// ReadFrame waits for the next 20 ms of capture and copies it into f. If
// more than MaxBacklog frames wait, the oldest are dropped first (counted in
// Overruns). A frame already waiting is returned even if ctx is done.
func (s *Stream) ReadFrame(ctx context.Context, f *Frame) error {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	for {
		if n := s.capture.Len(); n >= FrameSamples {
			if excess := n - s.maxBacklog; excess > 0 {
				s.capture.Discard((excess + FrameSamples - 1) / FrameSamples * FrameSamples)
				s.overruns.Add(1)
				continue
			}
			s.capture.Read(f[:])
			return nil
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

// WriteFrame queues f for playback and never blocks. When the queue is full
// because nothing plays, f is dropped; while the device plays, the oldest
// frames past MaxQueued are dropped instead. Both count in Dropped.
func (s *Stream) WriteFrame(f *Frame) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.fed.Store(true)
	if s.play.Cap()-s.play.Len() < FrameSamples {
		s.dropped.Add(1)
		return
	}
	s.play.Write(f[:])
}

// InputLevel is the recent capture peak, 0 (silence) to 1 (full scale),
// rising at once and falling back over about half a second.
func (s *Stream) InputLevel() float64 {
	return math.Float64frombits(s.level.Load())
}

// Stats returns the glitch counters.
func (s *Stream) Stats() StreamStats {
	return StreamStats{
		Periods:   s.periods.Load(),
		Overruns:  s.overruns.Load(),
		Underruns: s.underruns.Load(),
		Dropped:   s.dropped.Load(),
	}
}

// callback is the device callback: it runs on the audio thread, touches only
// the rings, atomics and the wake channel, and neither blocks nor allocates.
func (s *Stream) callback(out, in []int16) {
	if len(in) > 0 {
		if s.capture.Write(in) < len(in) {
			s.overruns.Add(1)
		}
		s.meter(in)
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	if len(out) > 0 {
		// Keep at most maxQueued samples waiting after this period: drop
		// whole frames from the oldest end.
		if excess := s.play.Len() - len(out) - s.maxQueued; excess > 0 {
			frames := (excess + FrameSamples - 1) / FrameSamples
			s.play.Discard(frames * FrameSamples)
			s.dropped.Add(uint64(frames))
		}
		if n := s.play.Read(out); n < len(out) {
			clear(out[n:])
			if s.fed.Load() {
				s.underruns.Add(1)
			}
		}
		s.trim(len(out))
	}
	s.periods.Add(1)
}

// meter updates the input level from one period of capture.
func (s *Stream) meter(in []int16) {
	peak := int32(0)
	for _, v := range in {
		a := int32(v)
		if a < 0 {
			a = -a
		}
		peak = max(peak, a)
	}
	p := float64(peak) / 32768
	prev := math.Float64frombits(s.level.Load())
	fallen := prev - levelFallPerSec*float64(len(in))/SampleRate
	s.level.Store(math.Float64bits(max(p, fallen, 0)))
}

// trimAfter is how long more than one frame may stay queued for playback
// before one frame is dropped: a stall (the process woke late, the device
// played silence) otherwise leaves the extra latency in place for good.
const trimAfter = SampleRate // one second

// trim drops one queued frame once more than a frame has stayed queued for
// trimAfter; it runs on the audio thread after each period of n samples.
func (s *Stream) trim(n int) {
	if s.play.Len() <= FrameSamples {
		s.surplus = 0
		return
	}
	s.surplus += n
	if s.surplus >= trimAfter {
		s.play.Discard(FrameSamples)
		s.dropped.Add(1)
		s.surplus = 0
	}
}
