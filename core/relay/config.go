package relay

import (
	"log/slog"
	"time"
)

// Defaults for the zero fields of Config.
const (
	DefaultMaxSessions    = 16
	DefaultMaxWaiting     = 256
	DefaultPairTimeout    = 30 * time.Second
	DefaultIdleTimeout    = 2 * time.Minute
	DefaultRequestTimeout = 10 * time.Second
)

const (
	bufSize      = 16 << 10        // copy buffer per direction
	writeTimeout = 5 * time.Second // for the relay's status answers
	closeGrace   = 5 * time.Second // after one side's EOF, the other's last chance to finish (at most IdleTimeout)
)

// Config is what a relaying user allows; zero fields take the defaults above.
type Config struct {
	Disabled       bool          // answer every request "refused" (see also Server.SetEnabled)
	MaxSessions    int           // concurrent paired sessions
	MaxWaiting     int           // connections waiting for a partner
	BytesPerSecond int64         // per direction of a session; 0: no limit
	MaxBytes       int64         // both directions of a session together; 0: no limit
	PairTimeout    time.Duration // how long a connection waits for its partner
	IdleTimeout    time.Duration // a session with no bytes either way for this long is closed
	RequestTimeout time.Duration // how long a new connection has to send its request
	Logger         *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.MaxWaiting <= 0 {
		c.MaxWaiting = DefaultMaxWaiting
	}
	if c.BytesPerSecond < 0 {
		c.BytesPerSecond = 0
	}
	if c.MaxBytes < 0 {
		c.MaxBytes = 0
	}
	if c.PairTimeout <= 0 {
		c.PairTimeout = DefaultPairTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
