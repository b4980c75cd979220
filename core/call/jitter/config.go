package jitter

import (
	"log/slog"
	"time"
)

// Defaults and limits of Config.
const (
	DefaultFrameSamples = 960                    // 20 ms at 48 kHz
	DefaultFrameDur     = 20 * time.Millisecond  // one Opus frame
	DefaultInitialDelay = 60 * time.Millisecond  // the target before anything is measured
	DefaultMinDelay     = 20 * time.Millisecond  // the target never goes below
	DefaultMaxDelay     = 500 * time.Millisecond // the target never goes above
	DefaultQuantile     = 0.95                   // share of packets the target should cover
	DefaultSlots        = 64                     // frames the ring holds (1.28 s of 20 ms frames)
	DefaultMaxPayload   = 1500                   // bytes per packet; an Opus frame is at most 1276
	MaxSlots            = 1024                   // the largest ring New accepts
)

// Config tunes a Buffer. The zero value means the defaults above.
type Config struct {
	FrameSamples uint32        // timestamp units per frame (960)
	FrameDur     time.Duration // duration of one frame (20 ms)
	InitialDelay time.Duration // target delay until jitter has been measured (~60 ms)
	MinDelay     time.Duration // lower clamp of the target
	MaxDelay     time.Duration // upper clamp of the target (at most 3/4 of the ring)
	Quantile     float64       // share of packets the target delay covers (0.95 as NetEQ)
	// Fixed > 0 makes a fixed buffer of this many frames: playout starts
	// Fixed frames after the first packet arrived and then advances one
	// slot per Pop, never holding or skipping (only a stall of the playout
	// clock or a resync moves it). This is ToxAV's method with 3: its
	// jbuf_write puts the first packet 3 slots above the bottom, so three
	// frames of PLC are queued to the sink before it, and nothing adapts.
	Fixed      int
	NoFEC      bool         // never return FEC frames (ToxAV never decodes its FEC)
	Slots      int          // frames the ring holds (64); packets further ahead are dropped
	MaxPayload int          // largest payload accepted, in bytes (1500)
	Log        *slog.Logger // resyncs are logged at debug level; nil discards
}

// withDefaults fills the zero fields and clamps the others into range.
func (c Config) withDefaults() Config {
	if c.FrameSamples == 0 {
		c.FrameSamples = DefaultFrameSamples
	}
	if c.FrameDur <= 0 {
		c.FrameDur = DefaultFrameDur
	}
	if c.Slots <= 0 {
		c.Slots = DefaultSlots
	}
	c.Slots = max(8, min(c.Slots, MaxSlots))
	if c.MaxPayload <= 0 {
		c.MaxPayload = DefaultMaxPayload
	}
	if c.Quantile <= 0 || c.Quantile >= 1 {
		c.Quantile = DefaultQuantile
	}
	if c.MinDelay <= 0 {
		c.MinDelay = DefaultMinDelay
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = DefaultMaxDelay
	}
	ring := time.Duration(c.Slots) * c.FrameDur
	c.MaxDelay = min(c.MaxDelay, ring*3/4)
	c.MinDelay = min(c.MinDelay, c.MaxDelay)
	if c.InitialDelay <= 0 {
		c.InitialDelay = DefaultInitialDelay
	}
	c.InitialDelay = max(c.MinDelay, min(c.InitialDelay, c.MaxDelay))
	if c.Fixed < 0 {
		c.Fixed = 0
	}
	c.Fixed = min(c.Fixed, c.Slots*3/4)
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}
