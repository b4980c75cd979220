package codec

import (
	"math"
	"testing"
)

// encodeAll encodes pcm frame by frame with a fresh encoder at the given
// bitrate and loss percent, and returns one packet per frame.
func encodeAll(t testing.TB, pcm []int16, bitrate, lossPercent int) [][]byte {
	t.Helper()
	enc, err := NewEncoder(Config{Bitrate: bitrate})
	if err != nil {
		t.Fatalf("a new encoder fails: %v", err)
	}
	if err := enc.SetLossPercent(lossPercent); err != nil {
		t.Fatalf("setting the loss percent fails: %v", err)
	}
	out := make([]byte, MaxPacket)
	pkts := make([][]byte, 0, len(pcm)/FrameSamples)
	for i := 0; i+FrameSamples <= len(pcm); i += FrameSamples {
		n, err := enc.Encode(pcm[i:i+FrameSamples], out)
		if err != nil {
			t.Fatalf("encoding frame %d fails: %v", i/FrameSamples, err)
		}
		pkts = append(pkts, append([]byte(nil), out[:n]...))
	}
	return pkts
}

// Ways a simulated receiver fills the frame of a lost packet.
const (
	noLoss  = iota // nothing is lost: the reference
	conceal        // Conceal
	useFEC         // DecodeFEC from the next packet when it arrived, else Conceal
)

// receive plays packets the way a receiver would: DTX packets are never
// sent (their frames are concealed, which makes comfort noise), every
// lossEvery-th packet actually sent is lost, and lost frames are filled as
// mode says. It returns the decoded audio and which frames were lost.
func receive(t testing.TB, pkts [][]byte, lossEvery, mode int) ([]int16, []bool) {
	t.Helper()
	dec, err := NewDecoder()
	if err != nil {
		t.Fatalf("a new decoder fails: %v", err)
	}
	lost := make([]bool, len(pkts))
	sent := 0
	for i, p := range pkts {
		if !IsDTX(p) {
			lost[i] = mode != noLoss && sent%lossEvery == lossEvery-1
			sent++
		}
	}
	out := make([]int16, len(pkts)*FrameSamples)
	for i, p := range pkts {
		f := out[i*FrameSamples:]
		switch {
		case IsDTX(p):
			err = dec.Conceal(f)
		case !lost[i]:
			var n int
			n, err = dec.Decode(p, f)
			if err == nil && n != FrameSamples {
				t.Fatalf("decoding frame %d gave %d samples, want %d", i, n, FrameSamples)
			}
		case mode == useFEC && i+1 < len(pkts) && !IsDTX(pkts[i+1]) && !lost[i+1]:
			err = dec.DecodeFEC(pkts[i+1], f)
		default:
			err = dec.Conceal(f)
		}
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	return out, lost
}

// lostSNR returns the signal-to-noise ratio in dB of got against ref over
// the lost frames only.
func lostSNR(ref, got []int16, lost []bool) float64 {
	var s, n float64
	for i, l := range lost {
		if !l {
			continue
		}
		for j := i * FrameSamples; j < (i+1)*FrameSamples; j++ {
			r, g := float64(ref[j]), float64(got[j])
			s += r * r
			n += (r - g) * (r - g)
		}
	}
	return 10 * math.Log10((s+1)/(n+1))
}

// fecAndConceal encodes pcm, loses every 7th packet sent, and returns the
// SNR over the lost frames, against the same packets decoded with nothing
// lost, when they are rebuilt with DecodeFEC and when they are concealed.
func fecAndConceal(t testing.TB, pcm []int16, bitrate, lossPercent int) (fec, plc float64, nLost int) {
	t.Helper()
	pkts := encodeAll(t, pcm, bitrate, lossPercent)
	ref, _ := receive(t, pkts, 7, noLoss)
	withFEC, lost := receive(t, pkts, 7, useFEC)
	concealed, _ := receive(t, pkts, 7, conceal)
	for _, l := range lost {
		if l {
			nLost++
		}
	}
	return lostSNR(ref, withFEC, lost), lostSNR(ref, concealed, lost), nLost
}
