package main

import (
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// closeLog keeps the figures a call's media logs when it closes: the
// jitter buffer's and the audio Stream's counters, which call.Stats does
// not carry as counts (it has the concealed fraction and the FEC count
// only). It is the Engine's slog handler; everything else is dropped.
type closeLog struct {
	mu     sync.Mutex
	jitter map[string]string // field name -> value, from jitter.Stats printed with %+v
	stream map[string]string // the same for audio.StreamStats
}

// closedMsg is the message session.Close logs with the counters.
const closedMsg = "call media closed"

// fieldRE picks Name:value pairs out of a struct printed with %+v.
var fieldRE = regexp.MustCompile(`(\w+):([^ {}]+)`)

// fields parses a struct printed with %+v.
func fields(s string) map[string]string {
	m := map[string]string{}
	for _, f := range fieldRE.FindAllStringSubmatch(s, -1) {
		m[f[1]] = f[2]
	}
	return m
}

// count is an integer field, and whether it was there.
func count(m map[string]string, name string) (uint64, bool) {
	v, err := strconv.ParseUint(m[name], 10, 64)
	return v, err == nil
}

// duration is a time.Duration field, and whether it was there.
func duration(m map[string]string, name string) (time.Duration, bool) {
	v, err := time.ParseDuration(m[name])
	return v, err == nil
}

// logger is a logger that feeds l.
func (l *closeLog) logger() *slog.Logger { return slog.New(closeHandler{l}) }

// closeHandler is closeLog's slog.Handler.
type closeHandler struct{ l *closeLog }

// Enabled takes Info and above: the close record is at Info.
func (h closeHandler) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelInfo }

// Handle keeps the counters of the close record and drops the rest.
func (h closeHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message != closedMsg {
		return nil
	}
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "jitter":
			h.l.jitter = fields(a.Value.String())
		case "stream":
			h.l.stream = fields(a.Value.String())
		}
		return true
	})
	return nil
}

// WithAttrs ignores the attributes: only the close record's own matter.
func (h closeHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup ignores the group.
func (h closeHandler) WithGroup(string) slog.Handler { return h }

// snapshot returns the parsed counters (nil maps if the record never came).
func (l *closeLog) snapshot() (jit, stream map[string]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.jitter, l.stream
}
