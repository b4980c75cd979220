package codec

import (
	"fmt"

	"github.com/hraban/opus"
)

// Decoder turns Opus packets back into 20 ms frames of 48 kHz mono audio,
// and fills the frames of lost packets. Every method writes exactly one
// frame, FrameSamples samples, at the start of pcm, which must be at least
// that long. It is not safe for concurrent use.
//
// After losing B in A, B, C: DecodeFEC(C) for B, then Decode(C) for C. With
// nothing to rebuild from (C lost too, or not yet here), Conceal for B. In a
// DTX gap (the timestamps jump, the sequence numbers do not) Conceal each
// missing frame: after a DTX packet libopus makes comfort noise.
type Decoder struct {
	dec *opus.Decoder
}

// NewDecoder makes a decoder for 48 kHz mono.
func NewDecoder() (*Decoder, error) {
	dec, err := opus.NewDecoder(SampleRate, 1)
	if err != nil {
		return nil, fmt.Errorf("new opus decoder: %w", err)
	}
	return &Decoder{dec: dec}, nil
}

// Decode decodes one packet into pcm and returns the samples written,
// FrameSamples. A packet whose header declares a duration other than one
// frame is refused with ErrPacketSize.
func (d *Decoder) Decode(pkt []byte, pcm []int16) (int, error) {
	if err := checkPacket(pkt); err != nil {
		return 0, err
	}
	f, err := frame(pcm)
	if err != nil {
		return 0, err
	}
	n, err := d.dec.Decode(pkt, f)
	if err != nil {
		return 0, fmt.Errorf("opus decode %d bytes: %w", len(pkt), err)
	}
	return n, nil
}

// DecodeFEC rebuilds the one frame lost just before next from next's
// in-band FEC, into pcm. Where next carries no FEC, libopus conceals the
// frame instead. Call Decode(next) afterwards for next's own frame. Next
// must pass the same checks as a packet for Decode.
func (d *Decoder) DecodeFEC(next []byte, pcm []int16) error {
	if err := checkPacket(next); err != nil {
		return err
	}
	f, err := frame(pcm)
	if err != nil {
		return err
	}
	if err := d.dec.DecodeFEC(next, f); err != nil {
		return fmt.Errorf("opus FEC decode %d bytes: %w", len(next), err)
	}
	return nil
}

// Conceal fills pcm with one frame of concealment (packet loss concealment,
// or comfort noise in a DTX gap) for a frame for which nothing arrived.
func (d *Decoder) Conceal(pcm []int16) error {
	f, err := frame(pcm)
	if err != nil {
		return err
	}
	if err := d.dec.DecodePLC(f); err != nil {
		return fmt.Errorf("opus conceal: %w", err)
	}
	return nil
}
