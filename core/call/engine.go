package call

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"tincan/core/audio"
	"tincan/core/call/jitter"
	"tincan/core/call/media"
)

// UDPConn is the node's shared UDP socket (a stun.Mux): media and punch
// probes go out through it, and a route takes the packets for a call.
type UDPConn interface {
	WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error)
	Route(match func(b []byte) bool, fn func(b []byte, from netip.AddrPort)) (remove func())
}

// SessionLink carries sealed media over the contact's chat session when no
// UDP path exists (a relayed session, or UDP blocked).
type SessionLink interface {
	// SendMedia queues a packet on the session; false if dropped.
	SendMedia(contactID int64, packet []byte) bool
	// SessionPath is the session's path ("direct", "punched-tcp", "relay",
	// "none", ...) and the relay's address when relayed.
	SessionPath(contactID int64) (path, relay string)
}

// AudioOpener opens the audio device for a call.
type AudioOpener func() (audio.Device, error)

// EngineConfig is what the media engine needs.
type EngineConfig struct {
	UDP     UDPConn     // nil: media only over the session
	Session SessionLink // required
	Audio   AudioOpener // required
	// EchoCancel runs the echo canceller and noise suppressor on the
	// microphone (off for WAV devices, where there is no acoustic echo).
	EchoCancel bool
	// PunchTimeout bounds UDP punching; media flows over the session
	// meanwhile. Default 5 s.
	PunchTimeout time.Duration
	// NoUDP never tries UDP (tests of the session path).
	NoUDP bool
	// Jitter configures the receive buffer; the zero value is the adaptive
	// buffer (the benchmark sets ToxAV's fixed 3 frames, no FEC, beside it).
	Jitter jitter.Config
	Logger *slog.Logger
}

// Engine opens the media of calls: it implements MediaStarter.
type Engine struct {
	cfg EngineConfig
	log *slog.Logger

	mu  sync.Mutex
	cur *session // the running call's media, for packets over the session
}

// NewEngine makes an Engine.
func NewEngine(cfg EngineConfig) *Engine {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PunchTimeout <= 0 {
		cfg.PunchTimeout = 5 * time.Second
	}
	return &Engine{cfg: cfg, log: cfg.Logger}
}

// ErrNoAudio wraps a failure to open the audio device.
var ErrNoAudio = errors.New("no audio device")

// StartMedia opens the audio device and starts sending and playing; the
// UDP path is punched in the background while media flows over the
// session.
func (e *Engine) StartMedia(ctx context.Context, p Params) (Media, error) {
	send, recv, err := media.Keys(p.Key, p.ID, p.Caller)
	if err != nil {
		return nil, fmt.Errorf("call keys: %w", err)
	}
	dev, err := e.cfg.Audio()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoAudio, err)
	}
	s, err := newSession(e, p, send, recv, dev)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	old := e.cur
	e.cur = s
	e.mu.Unlock()
	if old != nil {
		old.Close()
	}
	if err := s.start(); err != nil {
		s.Close()
		return nil, fmt.Errorf("%w: %w", ErrNoAudio, err)
	}
	if e.cfg.UDP != nil && !e.cfg.NoUDP {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.punch(ctx, p)
		}()
	}
	return s, nil
}

// OnMedia takes a sealed media packet that came over a contact's chat
// session (chat.CallHandler's media half).
func (e *Engine) OnMedia(contactID int64, packet []byte) {
	e.mu.Lock()
	s := e.cur
	e.mu.Unlock()
	if s == nil || s.p.ContactID != contactID {
		return
	}
	s.receive(packet, netip.AddrPort{})
}

// SwapAudio moves the running call (if any) to a newly opened device.
func (e *Engine) SwapAudio() error {
	e.mu.Lock()
	s := e.cur
	e.mu.Unlock()
	if s == nil {
		return nil
	}
	dev, err := e.cfg.Audio()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoAudio, err)
	}
	return s.stream.Swap(dev)
}

func (e *Engine) forget(s *session) {
	e.mu.Lock()
	if e.cur == s {
		e.cur = nil
	}
	e.mu.Unlock()
}

// punchSecret is the shared secret both sides' punch probes carry: derived
// from the call key, so only the two parties can make or accept them.
func punchSecret(key [32]byte, id [8]byte) []byte {
	b, err := hkdf.Key(sha256.New, key[:], id[:], "tincan call punch v1", 32)
	if err != nil {
		panic(err) // only for lengths sha256 cannot give
	}
	return b
}
