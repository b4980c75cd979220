package audio

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// TestWAVHeaderBytes pins the exact header WriteWAV writes.
func TestWAVHeaderBytes(t *testing.T) {
	var b bytes.Buffer
	if err := EncodeWAV(&b, []int16{1, -2}); err != nil {
		t.Fatal(err)
	}
	want := "52494646" + "28000000" + "57415645" + "666d7420" + "10000000" + "0100" + "0100" +
		"80bb0000" + "00770100" + "0200" + "1000" + "64617461" + "04000000" + "0100" + "feff"
	if got := hex.EncodeToString(b.Bytes()); got != want {
		t.Fatalf("two samples encode as\n%s\nwant\n%s", got, want)
	}
}

func TestWAVRoundTrip(t *testing.T) {
	in := sine(4801, SampleRate, 1000, 20000)
	p := filepath.Join(t.TempDir(), "x.wav")
	if err := WriteWAV(p, in); err != nil {
		t.Fatal(err)
	}
	out, rate, err := ReadWAV(p)
	if err != nil {
		t.Fatal(err)
	}
	if rate != SampleRate || !slices.Equal(in, out) {
		t.Fatalf("a 48 kHz file read back at %d Hz with %d samples (equal: %v), want the same %d samples", rate, len(out), slices.Equal(in, out), len(in))
	}
}

func TestReadWAVSpeech(t *testing.T) {
	s, rate, err := ReadWAV(speechA)
	if err != nil {
		t.Fatal(err)
	}
	if rate != SampleRate || len(s) < 5*SampleRate || rms(s) < 0.01 {
		t.Fatalf("speech-a.wav reads as %d samples at %d Hz, RMS %.4f; want several seconds of sound at 48 kHz", len(s), rate, rms(s))
	}
}

// TestResample16kStereo reads a 16 kHz stereo sine and checks the 48 kHz
// mono result's duration and frequency.
func TestResample16kStereo(t *testing.T) {
	const rate, n, freq = 16000, 8000, 1000.0 // half a second
	left := sine(n, rate, freq, 16000)
	inter := make([]int16, 0, 2*n)
	for _, v := range left {
		inter = append(inter, v, v/2) // right at half the level: the mix is 3/4 of left
	}
	out, got, err := ReadWAV(writeFile(t, "s.wav", wavBytes(rate, 2, 16, inter)))
	if err != nil {
		t.Fatal(err)
	}
	if got != rate || len(out) != n*3 {
		t.Fatalf("half a second at 16 kHz became %d samples (rate reported %d), want %d at 48 kHz", len(out), got, n*3)
	}
	if zc := zeroCrossings(out); zc < 498 || zc > 501 {
		t.Fatalf("a 1 kHz sine resampled has %d upward zero crossings in 0.5 s, want about 500", zc)
	}
	on, off := goertzel(out, SampleRate, freq), goertzel(out, SampleRate, 3*freq)
	if on < 100*off {
		t.Fatalf("after resampling, 1 kHz has power %.3g and 3 kHz %.3g; the tone should dominate", on, off)
	}
	peak := 0
	for _, v := range out {
		peak = max(peak, int(math.Abs(float64(v))))
	}
	if peak < 11500 || peak > 12100 {
		t.Fatalf("the downmix peaks at %d, want about 12000 (the mean of 16000 and 8000)", peak)
	}
}

func TestDecodeWAVRefuses(t *testing.T) {
	good := wavBytes(16000, 1, 16, make([]int16, 100))
	le := binary.LittleEndian
	patch := func(off int, v uint32) []byte {
		b := slices.Clone(good)
		le.PutUint32(b[off:], v)
		return b
	}
	patch16 := func(off int, v uint16) []byte {
		b := slices.Clone(good)
		le.PutUint16(b[off:], v)
		return b
	}
	hourPlus := uint32(3600*16000*2 + 2)
	long := patch(40, hourPlus)
	le.PutUint32(long[4:], 36+hourPlus)
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrBadWAV},
		{"not RIFF", append([]byte("RIFX"), good[4:]...), ErrBadWAV},
		{"8-bit", wavBytes(16000, 1, 8, make([]int16, 50)), ErrUnsupportedWAV},
		{"float", patch16(20, 3), ErrUnsupportedWAV},
		{"no channels", patch16(22, 0), ErrUnsupportedWAV},
		{"9 channels", patch16(22, 9), ErrUnsupportedWAV},
		{"4 kHz", patch(24, 4000), ErrUnsupportedWAV},
		{"wrong block align", patch16(32, 4), ErrBadWAV},
		{"data past the RIFF size", patch(4, 40), ErrBadWAV},
		{"data past the end of the file", patch(40, 1000), ErrBadWAV},
		{"odd data size", patch(40, 199), ErrBadWAV},
		{"over an hour", long, ErrWAVTooLong},
		{"fmt chunk of 8 bytes", patch(16, 8), ErrBadWAV},
		{"data before fmt", append(append([]byte("RIFF\x10\x00\x00\x00WAVE"), "data\x00\x00\x00\x00"...), good[12:]...), ErrBadWAV},
		{"no data chunk", good[:36], ErrBadWAV},
	} {
		_, _, err := DecodeWAV(bytes.NewReader(c.b))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: DecodeWAV returned %v, want %v", c.name, err, c.want)
		}
	}
}

// TestDecodeWAVSkipsChunksAndReadsExtensible accepts a LIST chunk before
// the data and WAVE_FORMAT_EXTENSIBLE with a PCM sub-format.
func TestDecodeWAVSkipsChunksAndReadsExtensible(t *testing.T) {
	le := binary.LittleEndian
	samples := []int16{100, -100, 200, -200}
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt ")
	b = le.AppendUint32(b, 40)
	b = le.AppendUint16(b, 0xFFFE)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint32(b, SampleRate)
	b = le.AppendUint32(b, SampleRate*2)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 16)
	b = le.AppendUint16(b, 22) // cbSize
	b = le.AppendUint16(b, 16) // valid bits
	b = le.AppendUint32(b, 4)  // channel mask
	b = append(b, "\x01\x00\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"...)
	b = append(b, "LIST\x03\x00\x00\x00abc\x00"...) // odd size, padded
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(2*len(samples)))
	for _, v := range samples {
		b = le.AppendUint16(b, uint16(v))
	}
	le.PutUint32(b[4:], uint32(len(b)-8))
	got, fm, err := DecodeWAV(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, samples) || fm.Frames != 4 {
		t.Fatalf("extensible PCM after a LIST chunk decoded as %v (%+v), want %v", got, fm, samples)
	}
}

// FuzzParseWAV feeds arbitrary bytes to the decoder (with a limit of 2 s)
// and checks what it accepts: the format is within limits, the length is
// what the header promised after resampling, and the result re-encodes to a
// file that decodes to the same samples.
func FuzzParseWAV(f *testing.F) {
	f.Add(wavBytes(48000, 1, 16, []int16{1, 2, 3, -4}))
	f.Add(wavBytes(16000, 2, 16, sine(64, 16000, 1000, 9000)))
	f.Add(wavBytes(8000, 3, 16, sine(33, 8000, 500, 9000)))
	f.Add(wavBytes(44100, 1, 8, []int16{5, 6}))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		mono, fm, err := decodeWAV(bytes.NewReader(b), 2)
		if err != nil {
			if mono != nil {
				t.Fatalf("a refused file (%v) still returned %d samples", err, len(mono))
			}
			return
		}
		if fm.Rate < minWAVRate || fm.Rate > maxWAVRate || fm.Channels < 1 || fm.Channels > maxWAVChannels {
			t.Fatalf("accepted a format outside the limits: %+v", fm)
		}
		if len(mono) != fm.Frames || fm.Frames > 2*fm.Rate {
			t.Fatalf("decoded %d frames, the header said %d (limit %d)", len(mono), fm.Frames, 2*fm.Rate)
		}
		if len(mono)*fm.Channels*2 > len(b) {
			t.Fatalf("decoded %d frames of %d channels from only %d bytes", len(mono), fm.Channels, len(b))
		}
		out := resample(mono, fm.Rate)
		if len(out) != resampledLen(len(mono), fm.Rate) {
			t.Fatalf("resampling %d frames at %d Hz gave %d, want %d", len(mono), fm.Rate, len(out), resampledLen(len(mono), fm.Rate))
		}
		var enc bytes.Buffer
		if err := EncodeWAV(&enc, out); err != nil {
			t.Fatal(err)
		}
		again, fm2, err := DecodeWAV(&enc)
		if err != nil || fm2.Rate != SampleRate || fm2.Channels != 1 || !slices.Equal(again, out) {
			t.Fatalf("re-encoding %d samples and decoding them gave %d samples, %+v, %v", len(out), len(again), fm2, err)
		}
	})
}
