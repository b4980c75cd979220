package audio

import (
	"fmt"
	"strings"
)

// SpecKind is the kind of device a Spec names.
type SpecKind int

// The kinds of device the daemon's flag can name.
const (
	SpecDefault SpecKind = iota // the system's devices through miniaudio
	SpecNull                    // miniaudio's null backend
	SpecWAV                     // a WAV file in, a WAV file out
)

// Spec is a parsed audio device flag.
type Spec struct {
	Kind    SpecKind
	In, Out string // SpecWAV's files
}

// ParseSpec parses the daemon's audio flag: "" or "default" (the system's
// devices), "null" (miniaudio's null backend) or "wav:IN.wav,OUT.wav".
func ParseSpec(s string) (Spec, error) {
	switch s {
	case "", "default":
		return Spec{Kind: SpecDefault}, nil
	case "null":
		return Spec{Kind: SpecNull}, nil
	}
	rest, ok := strings.CutPrefix(s, "wav:")
	if !ok {
		return Spec{}, fmt.Errorf("audio device %q: want \"default\", \"null\" or \"wav:IN.wav,OUT.wav\"", s)
	}
	in, out, ok := strings.Cut(rest, ",")
	switch {
	case !ok || strings.Contains(out, ","):
		return Spec{}, fmt.Errorf("audio device %q: want exactly two files, wav:IN.wav,OUT.wav", s)
	case in == "" || out == "":
		return Spec{}, fmt.Errorf("audio device %q: a file name is empty", s)
	case in == out:
		return Spec{}, fmt.Errorf("audio device %q: input and output must be different files", s)
	}
	return Spec{Kind: SpecWAV, In: in, Out: out}, nil
}

// String is the flag that parses back to s.
func (s Spec) String() string {
	switch s.Kind {
	case SpecNull:
		return "null"
	case SpecWAV:
		return "wav:" + s.In + "," + s.Out
	}
	return "default"
}

// Open makes the device s names. cfg supplies device IDs, OnLost and the
// logger for miniaudio devices (its Backend is replaced for SpecDefault and
// SpecNull); a WAV device takes only its Logger.
func (s Spec) Open(cfg MalgoConfig) (Device, error) {
	switch s.Kind {
	case SpecNull:
		cfg.Backend = "null"
		return NewMalgo(cfg)
	case SpecWAV:
		return NewWAV(s.In, s.Out, WAVOptions{Logger: cfg.Logger})
	}
	cfg.Backend = ""
	return NewMalgo(cfg)
}
