package media

import (
	"encoding/binary"
	"fmt"
)

// Limits on body fields, checked when sealing and when opening.
const (
	// MaxJitterMicros bounds a report's interarrival jitter (10 s).
	MaxJitterMicros = 10_000_000
	// MaxBufferMillis bounds a report's jitter buffer target and depth (5 s).
	MaxBufferMillis = 5_000
	// MaxHeldMicros bounds how long an echoed time was held (60 s); an
	// older one is not worth echoing.
	MaxHeldMicros = 60_000_000
)

// FlagResume marks an audio packet that starts a talkspurt: the first
// packet of the call or the first after a DTX gap.
const FlagResume uint8 = 0x01

// knownFlags are the audio flags this version defines; others are refused.
const knownFlags = FlagResume

// Audio is one Opus frame.
type Audio struct {
	Seq     uint16 // +1 per audio packet sent
	TS      uint32 // in samples at 48 kHz, +960 per 20 ms frame, also across DTX gaps
	Flags   uint8  // FlagResume or 0
	Payload []byte // the Opus packet, 1..MaxOpus bytes
}

// Report is a receiver report, sent every 0.5-1 s, with an RTT echo:
// the peer computes RTT(now, EchoMicros, HeldMicros).
type Report struct {
	HighestSeq   uint16 // highest audio sequence number received
	Lost         uint32 // audio packets lost since the call began
	FractionLost uint8  // lost since the last report, in 256ths
	Concealed    uint8  // frames concealed since the last report, in 256ths
	JitterMicros uint32 // interarrival jitter, at most MaxJitterMicros
	TargetMillis uint16 // jitter buffer target delay, at most MaxBufferMillis
	DepthMillis  uint16 // jitter buffer depth now, at most MaxBufferMillis
	SentMicros   uint64 // the sender's monotonic clock at sending, never 0
	EchoMicros   uint64 // the peer's last SentMicros received, 0 if none
	HeldMicros   uint32 // how long EchoMicros was held; 0 when EchoMicros is
}

// Ping asks the peer for a Pong, to keep the path open and measure RTT
// before audio flows.
type Ping struct {
	SentMicros uint64 // the sender's monotonic clock at sending, never 0
}

// Pong answers a Ping.
type Pong struct {
	EchoMicros uint64 // the Ping's SentMicros, never 0
	HeldMicros uint32 // how long the Ping was held before this Pong
}

// Static errors, so that checking a body never allocates.
var (
	errEmptyOpus = fmt.Errorf("empty Opus payload: %w", ErrMalformed)
	errBigOpus   = fmt.Errorf("payload of Opus over %d bytes: %w", MaxOpus, ErrTooLarge)
	errFlags     = fmt.Errorf("unknown audio flags: %w", ErrMalformed)
	errJitter    = fmt.Errorf("jitter over %d µs: %w", MaxJitterMicros, ErrMalformed)
	errBuffer    = fmt.Errorf("jitter buffer over %d ms: %w", MaxBufferMillis, ErrMalformed)
	errSent      = fmt.Errorf("zero send time: %w", ErrMalformed)
	errEcho      = fmt.Errorf("held time without an echo: %w", ErrMalformed)
	errHeld      = fmt.Errorf("held time over %d µs: %w", MaxHeldMicros, ErrMalformed)
)

// checkAudio checks an audio frame's flags and payload size.
func checkAudio(flags uint8, n int) error {
	switch {
	case n == 0:
		return errEmptyOpus
	case n > MaxOpus:
		return errBigOpus
	case flags&^knownFlags != 0:
		return errFlags
	}
	return nil
}

// check reports the first field out of its bounds.
func (r *Report) check() error {
	switch {
	case r.JitterMicros > MaxJitterMicros:
		return errJitter
	case r.TargetMillis > MaxBufferMillis || r.DepthMillis > MaxBufferMillis:
		return errBuffer
	case r.SentMicros == 0:
		return errSent
	}
	return checkEcho(r.EchoMicros, r.HeldMicros)
}

// checkEcho checks an echoed time and how long it was held.
func checkEcho(echo uint64, held uint32) error {
	switch {
	case held > MaxHeldMicros:
		return errHeld
	case echo == 0 && held != 0:
		return errEcho
	}
	return nil
}

// check reports whether the pong echoes something and held it in bounds.
func (p *Pong) check() error {
	if p.EchoMicros == 0 {
		return errEcho
	}
	return checkEcho(p.EchoMicros, p.HeldMicros)
}

// putAudio writes an audio body into b (audioFixed+len(opus) bytes).
func putAudio(b []byte, seq uint16, ts uint32, flags uint8, opus []byte) {
	binary.BigEndian.PutUint16(b[0:], seq)
	binary.BigEndian.PutUint32(b[2:], ts)
	b[6] = flags
	copy(b[audioFixed:], opus)
}

// parseAudio reads an audio body; Payload aliases b.
func parseAudio(b []byte) (Audio, error) {
	a := Audio{
		Seq:     binary.BigEndian.Uint16(b[0:]),
		TS:      binary.BigEndian.Uint32(b[2:]),
		Flags:   b[6],
		Payload: b[audioFixed:],
	}
	return a, checkAudio(a.Flags, len(a.Payload))
}

// put writes the report into b (reportSize bytes).
func (r *Report) put(b []byte) {
	binary.BigEndian.PutUint16(b[0:], r.HighestSeq)
	binary.BigEndian.PutUint32(b[2:], r.Lost)
	b[6] = r.FractionLost
	b[7] = r.Concealed
	binary.BigEndian.PutUint32(b[8:], r.JitterMicros)
	binary.BigEndian.PutUint16(b[12:], r.TargetMillis)
	binary.BigEndian.PutUint16(b[14:], r.DepthMillis)
	binary.BigEndian.PutUint64(b[16:], r.SentMicros)
	binary.BigEndian.PutUint64(b[24:], r.EchoMicros)
	binary.BigEndian.PutUint32(b[32:], r.HeldMicros)
}

// parseReport reads a report body of reportSize bytes.
func parseReport(b []byte) (Report, error) {
	r := Report{
		HighestSeq:   binary.BigEndian.Uint16(b[0:]),
		Lost:         binary.BigEndian.Uint32(b[2:]),
		FractionLost: b[6],
		Concealed:    b[7],
		JitterMicros: binary.BigEndian.Uint32(b[8:]),
		TargetMillis: binary.BigEndian.Uint16(b[12:]),
		DepthMillis:  binary.BigEndian.Uint16(b[14:]),
		SentMicros:   binary.BigEndian.Uint64(b[16:]),
		EchoMicros:   binary.BigEndian.Uint64(b[24:]),
		HeldMicros:   binary.BigEndian.Uint32(b[32:]),
	}
	return r, r.check()
}

// parsePing reads a ping body of pingSize bytes.
func parsePing(b []byte) (Ping, error) {
	p := Ping{SentMicros: binary.BigEndian.Uint64(b)}
	if p.SentMicros == 0 {
		return p, errSent
	}
	return p, nil
}

// put writes the pong into b (pongSize bytes).
func (p *Pong) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:], p.EchoMicros)
	binary.BigEndian.PutUint32(b[8:], p.HeldMicros)
}

// parsePong reads a pong body of pongSize bytes.
func parsePong(b []byte) (Pong, error) {
	p := Pong{
		EchoMicros: binary.BigEndian.Uint64(b[0:]),
		HeldMicros: binary.BigEndian.Uint32(b[8:]),
	}
	return p, p.check()
}
