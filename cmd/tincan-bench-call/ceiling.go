package main

import (
	"fmt"

	"tincan/core/audio"
	"tincan/core/call/codec"
	"tincan/core/call/quality"
)

// codecMaxLag bounds the search for the codec's own delay (a few ms).
const codecMaxLag = audio.SampleRate / 10

// opusAlone encodes speech with the call's encoder settings at bitrate and
// decodes it again, with no network: the ceiling of what a call can carry.
// DTX packets are handled as the pipeline handles their gaps (nothing is
// sent; the receiver conceals once it has heard something, else plays
// silence). The codec's delay does not move: one alignment serves.
func opusAlone(speech []int16, bitrate int) (quality.Report, error) {
	enc, err := codec.NewEncoder(codec.Config{Bitrate: bitrate})
	if err != nil {
		return quality.Report{}, fmt.Errorf("opus alone: %w", err)
	}
	dec, err := codec.NewDecoder()
	if err != nil {
		return quality.Report{}, fmt.Errorf("opus alone: %w", err)
	}
	n := len(speech) / codec.FrameSamples * codec.FrameSamples
	out := make([]int16, n)
	pkt := make([]byte, codec.MaxPacket)
	started := false
	for i := 0; i < n; i += codec.FrameSamples {
		k, err := enc.Encode(speech[i:i+codec.FrameSamples], pkt)
		if err != nil {
			return quality.Report{}, fmt.Errorf("opus alone: frame %d: %w", i/codec.FrameSamples, err)
		}
		pcm := out[i : i+codec.FrameSamples]
		switch {
		case !codec.IsDTX(pkt[:k]):
			_, err = dec.Decode(pkt[:k], pcm)
			started = true
		case started:
			err = dec.Conceal(pcm)
		}
		if err != nil {
			return quality.Report{}, fmt.Errorf("opus alone: frame %d: %w", i/codec.FrameSamples, err)
		}
	}
	lag, _ := quality.Align(speech, out, codecMaxLag)
	return scoreAt(speech, out, lag), nil
}
