package codec

import (
	"errors"
	"fmt"
)

// Fixed parameters of every call's audio.
const (
	SampleRate   = 48000 // samples per second
	FrameSamples = 960   // samples in one 20 ms frame
	MaxPacket    = 1275  // bytes: the largest Opus packet for one frame (RFC 6716, 3.2.1)
	dtxMaxSize   = 2     // bytes: an encoded frame this small carries no sound
)

// Bitrate limits, in bits per second.
const (
	MinBitrate     = 16000 // the floor SetBitrate clamps to
	MaxBitrate     = 64000 // the ceiling SetBitrate clamps to
	DefaultBitrate = 32000 // a new encoder's bitrate when Config.Bitrate is zero
)

// Errors a caller can act on.
var (
	ErrFrameSize  = fmt.Errorf("codec: a frame must have %d samples", FrameSamples)
	ErrPacketSize = fmt.Errorf("codec: a packet must have 1 to %d bytes and last %d samples", MaxPacket, FrameSamples)
	ErrNoRoom     = errors.New("codec: no room for the encoded packet")
)

// IsDTX reports whether an encoded packet is DTX silence (2 bytes or less):
// the sender does not send it, and the receiver treats the gap it leaves as
// silence, not loss.
func IsDTX(pkt []byte) bool { return len(pkt) <= dtxMaxSize }

// checkPacket refuses a packet of the wrong size or of a duration other than
// one frame.
func checkPacket(pkt []byte) error {
	if len(pkt) == 0 || len(pkt) > MaxPacket || packetSamples(pkt) != FrameSamples {
		return ErrPacketSize
	}
	return nil
}

// frame returns pcm cut to exactly one frame, capacity included, because
// hraban/opus passes cap(pcm) to libopus as the frame size.
func frame(pcm []int16) ([]int16, error) {
	if len(pcm) < FrameSamples {
		return nil, ErrFrameSize
	}
	return pcm[:FrameSamples:FrameSamples], nil
}
