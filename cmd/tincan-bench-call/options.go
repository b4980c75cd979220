package main

import (
	"fmt"
	"io"
	"time"

	"tincan/core/call/impair"
	"tincan/core/call/jitter"
)

// Network and timing settings every condition shares.
const (
	netDelay = 30 * time.Millisecond // fixed one-way delay of the proxy, each way, in every condition
)

// options are the benchmark's settings.
type options struct {
	Seed     uint64
	Runs     int
	SpeechA  string        // the caller's speech
	SpeechB  string        // the callee's speech
	Quick    bool          // only 0% and 5% loss
	NoEcho   bool          // skip the echo row (the test)
	Dir      string        // where WAVs go; a removed temp dir if ""
	Idle     time.Duration // how long the idle CPU baseline is measured
	Lead     time.Duration // silence before the speech: the UDP punch finishes in it
	Tail     time.Duration // the call goes on this long after the longer speech ends
	Progress io.Writer     // a line per step; nil for none
}

// defaultOptions is what the flags default to.
func defaultOptions() options {
	return options{
		Seed:    1,
		Runs:    1,
		SpeechA: "assets/speech/speech-a.wav",
		SpeechB: "assets/speech/speech-b.wav",
		Idle:    2 * time.Second,
		Lead:    time.Second,
		Tail:    time.Second,
	}
}

// condition is one column of the table: what the proxy does to each
// direction.
type condition struct {
	Name   string
	Loss   float64       // independent (Bernoulli) loss per datagram
	Jitter time.Duration // uniform jitter, ± this around netDelay, order kept
}

// conditions are the table's columns.
func conditions(quick bool) []condition {
	c := []condition{
		{Name: "0% loss"},
		{Name: "5% loss", Loss: 0.05},
		{Name: "15% loss, 30 ms jitter", Loss: 0.15, Jitter: 30 * time.Millisecond},
	}
	if quick {
		c = c[:2]
	}
	return c
}

// impairment is what the proxy does to each direction under c.
func (c condition) impairment() impair.Impairment {
	return impair.Impairment{Delay: netDelay, Jitter: c.Jitter, Dist: impair.Uniform, Loss: c.Loss}
}

// method is a receive-side configuration the calls are run with.
type method struct {
	Name   string // for progress lines
	Short  string // for file names
	Jitter jitter.Config
}

var (
	adaptive = method{Name: "tincan (adaptive buffer, FEC)", Short: "tincan"}
	toxav    = method{Name: "ToxAV-style (fixed 3 frames, PLC only)", Short: "toxav", Jitter: jitter.Config{Fixed: 3, NoFEC: true}}
)

// progress prints one line of progress.
func (o options) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}
