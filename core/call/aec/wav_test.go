package aec

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// wavBytes encodes s as a canonical 48 kHz mono 16-bit WAV.
func wavBytes(s []int16) []byte {
	le := binary.LittleEndian
	b := make([]byte, 44, 44+2*len(s))
	copy(b, "RIFF")
	le.PutUint32(b[4:], uint32(36+2*len(s)))
	copy(b[8:], "WAVEfmt ")
	le.PutUint32(b[16:], 16)
	le.PutUint16(b[20:], 1)
	le.PutUint16(b[22:], 1)
	le.PutUint32(b[24:], SampleRate)
	le.PutUint32(b[28:], 2*SampleRate)
	le.PutUint16(b[32:], 2)
	le.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	le.PutUint32(b[40:], uint32(2*len(s)))
	for _, v := range s {
		b = le.AppendUint16(b, uint16(v))
	}
	return b
}

func TestReadSpeechWAVs(t *testing.T) {
	t.Parallel()
	for _, p := range []string{speechFar, speechNear} {
		s, err := readWAV(p)
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		if sec := float64(len(s)) / SampleRate; sec < 8 || sec > 20 {
			t.Errorf("%s holds %.1f s of audio, want about 10 to 13", p, sec)
		}
		if !slices.ContainsFunc(s, func(v int16) bool { return v > 8000 }) {
			t.Errorf("%s has no loud sample: not speech", p)
		}
	}
	if _, err := readWAV("testdata/no-such.wav"); err == nil {
		t.Error("reading a missing file succeeded")
	}
}

func TestParseWAVRejectsOtherFormats(t *testing.T) {
	t.Parallel()
	good := wavBytes([]int16{1, -2, 3})
	mod := func(at int, v []byte) []byte {
		b := slices.Clone(good)
		copy(b[at:], v)
		return b
	}
	for name, b := range map[string][]byte{
		"short":  good[:43],
		"riff":   mod(0, []byte("RIFX")),
		"wave":   mod(8, []byte("AVI ")),
		"pcm":    mod(20, []byte{3, 0}),
		"stereo": mod(22, []byte{2, 0}),
		"44.1k":  mod(24, []byte{0x44, 0xac, 0, 0}),
		"8-bit":  mod(34, []byte{8, 0}),
		"list":   mod(36, []byte("LIST")),
	} {
		if _, err := parseWAV(b); !errors.Is(err, errWAV) {
			t.Errorf("parsing a %s header gave %v, want errWAV", name, err)
		}
	}
	if s, err := parseWAV(good); err != nil || !slices.Equal(s, []int16{1, -2, 3}) {
		t.Errorf("parsing a good WAV gave %v, %v", s, err)
	}
}

func FuzzParseWAV(f *testing.F) {
	f.Add(wavBytes([]int16{0, 1, -1, 32767, -32768}))
	f.Add(wavBytes(nil))
	f.Add(append(wavBytes([]int16{5}), 0xff)) // odd trailing byte
	f.Add([]byte("RIFF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseWAV(b)
		if err != nil {
			return
		}
		declared := int(binary.LittleEndian.Uint32(b[40:]))
		if want := min(declared, len(b)-44) / 2; len(s) != want {
			t.Fatalf("parsed %d samples from %d data bytes (declared %d)", len(s), len(b)-44, declared)
		}
		again, err := parseWAV(wavBytes(s))
		if err != nil || !slices.Equal(again, s) {
			t.Fatalf("the samples do not survive re-encoding: %v", err)
		}
	})
}
