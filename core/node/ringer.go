package node

import (
	"context"
	"log/slog"
	"sync"

	"tincan/core/audio"
)

// ringer plays the ring tone (incoming call) or the ringback (our call is
// ringing at the contact) on the output device until told to stop. It has
// its own short-lived device, closed before the call's own opens.
type ringer struct {
	open func() (audio.Device, error)
	log  *slog.Logger

	mu     sync.Mutex
	kind   string // "", "ring" or "ringback"
	cancel context.CancelFunc
	done   chan struct{}
}

// set starts the named tone ("" stops it); the same tone again is a no-op.
// It never blocks on the device: opening and playing run on a goroutine.
func (r *ringer) set(kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if kind == r.kind {
		return
	}
	r.stopLocked()
	r.kind = kind
	if kind == "" || r.open == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r.cancel, r.done = cancel, done
	tone := audio.RingTone()
	if kind == "ringback" {
		tone = audio.Ringback()
	}
	go func() {
		defer close(done)
		r.play(ctx, tone)
	}()
}

// stop ends any tone and waits until its device is closed.
func (r *ringer) stop() {
	r.mu.Lock()
	r.stopLocked()
	r.kind = ""
	r.mu.Unlock()
}

func (r *ringer) stopLocked() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	<-r.done
	r.cancel, r.done = nil, nil
}

func (r *ringer) play(ctx context.Context, tone audio.Tone) {
	dev, err := r.open()
	if err != nil {
		r.log.Debug("no ring tone: no audio device", "err", err)
		return
	}
	s := audio.NewStream(dev, audio.StreamOptions{Logger: r.log})
	if err := s.Start(); err != nil {
		r.log.Debug("no ring tone: audio device did not start", "err", err)
		return
	}
	defer s.Close()
	var in, out audio.Frame
	for {
		// The capture clock paces the tone; what is captured is dropped.
		if err := s.ReadFrame(ctx, &in); err != nil {
			return
		}
		tone.Next(&out)
		s.WriteFrame(&out)
	}
}
