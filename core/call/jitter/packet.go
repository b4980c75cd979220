package jitter

import (
	"strconv"
	"time"
)

// Packet is one received audio packet.
type Packet struct {
	Seq     uint16 // +1 per audio packet sent; DTX silence is not sent and does not advance it
	TS      uint32 // timestamp in samples at 48 kHz; +FrameSamples per frame, also across DTX gaps
	Payload []byte // the Opus packet; Push copies it
}

// Kind says what the decoder should do for one slot.
type Kind uint8

// The kinds of frame Pop returns.
const (
	Normal  Kind = iota + 1 // decode Frame.Payload
	FEC                     // this slot's packet was lost; decode the FEC data of Frame.Payload (the next packet) for exactly one frame
	Conceal                 // lost and no FEC available: run the decoder's PLC for one frame
	Silence                 // a DTX gap, buffering, or an underrun with nothing to play: comfort noise or PLC, not counted as loss
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case Normal:
		return "normal"
	case FEC:
		return "fec"
	case Conceal:
		return "conceal"
	case Silence:
		return "silence"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Frame is what to play for one slot.
type Frame struct {
	Kind    Kind
	Payload []byte // Normal: the packet; FEC: the next packet; valid until the next Pop
	Seq     uint16 // Normal: the packet's; FEC and Conceal: the lost packet's (inferred)
	TS      uint32 // the slot's timestamp
	// Held is true when the frame was inserted without using up a slot:
	// while buffering, or to grow the delay. It is Silence, or Conceal in the
	// middle of speech, and is not a loss.
	Held bool
}

// Arrival is one packet of a trace and its arrival time, counted from the
// trace's start.
type Arrival struct {
	At     time.Duration
	Packet Packet
}
