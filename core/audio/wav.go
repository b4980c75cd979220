package audio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// WAV limits: what the decoder accepts from a user's file.
const (
	MaxWAVDuration = time.Hour // longest audio ReadWAV accepts, at the file's own rate
	minWAVRate     = 8000
	maxWAVRate     = 192000
	maxWAVChannels = 8
	maxWAVChunks   = 64      // chunks before "data"
	maxSkipChunk   = 1 << 24 // bytes of one chunk we skip (LIST, bext, ...)
	wavHeaderSize  = 44      // the header WriteWAV writes
	readBlock      = 1 << 16 // bytes of sample data read at a time
)

// Errors from the WAV decoder.
var (
	ErrBadWAV         = errors.New("audio: malformed WAV file")
	ErrUnsupportedWAV = errors.New("audio: unsupported WAV format (want 16-bit PCM)")
	ErrWAVTooLong     = errors.New("audio: WAV file too long")
)

// WAVFormat is what a WAV file's header says.
type WAVFormat struct {
	Rate     int // samples per second per channel
	Channels int
	Frames   int // sample frames in the data chunk
}

// ReadWAV reads a 16-bit PCM WAV file of any rate and channel count and
// returns its audio as 48 kHz mono (channels averaged, linear resampling),
// with rate the file's own sample rate.
func ReadWAV(path string) (samples []int16, rate int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read WAV: %w", err)
	}
	defer f.Close()
	samples, fm, err := DecodeWAV(bufio.NewReaderSize(f, readBlock))
	if err != nil {
		return nil, 0, fmt.Errorf("read WAV %s: %w", path, err)
	}
	return samples, fm.Rate, nil
}

// WriteWAV writes samples as a 48 kHz mono 16-bit WAV file.
func WriteWAV(path string, samples []int16) error {
	var b bytes.Buffer
	if err := EncodeWAV(&b, samples); err != nil {
		return fmt.Errorf("write WAV %s: %w", path, err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write WAV: %w", err)
	}
	return nil
}

// EncodeWAV writes samples to w as a 48 kHz mono 16-bit WAV stream.
func EncodeWAV(w io.Writer, samples []int16) error {
	if int64(len(samples)) > int64(MaxWAVDuration/time.Second)*SampleRate {
		return ErrWAVTooLong
	}
	h := wavHeader(len(samples) * 2)
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	buf := make([]byte, 0, readBlock)
	for len(samples) > 0 {
		n := min(len(samples), readBlock/2)
		buf = appendPCM(buf[:0], samples[:n])
		if _, err := w.Write(buf); err != nil {
			return err
		}
		samples = samples[n:]
	}
	return nil
}

// DecodeWAV reads a 16-bit PCM WAV stream and returns 48 kHz mono audio and
// the stream's own format. It refuses anything over MaxWAVDuration.
func DecodeWAV(r io.Reader) ([]int16, WAVFormat, error) {
	mono, fm, err := decodeWAV(r, int64(MaxWAVDuration/time.Second))
	if err != nil {
		return nil, fm, err
	}
	return resample(mono, fm.Rate), fm, nil
}

// wavHeader is the 44-byte header of a 48 kHz mono 16-bit file with
// dataBytes of samples.
func wavHeader(dataBytes int) [wavHeaderSize]byte {
	var h [wavHeaderSize]byte
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(36+dataBytes))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], 1) // PCM
	le.PutUint16(h[22:], 1) // mono
	le.PutUint32(h[24:], SampleRate)
	le.PutUint32(h[28:], SampleRate*2)
	le.PutUint16(h[32:], 2)
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], uint32(dataBytes))
	return h
}

// appendPCM appends samples as little-endian 16-bit PCM.
func appendPCM(b []byte, samples []int16) []byte {
	for _, v := range samples {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// decodeWAV parses a WAV stream of at most maxSeconds of audio and returns
// its samples at the file's rate, channels averaged. Memory grows only with
// bytes actually read, never with what a header claims.
func decodeWAV(r io.Reader, maxSeconds int64) ([]int16, WAVFormat, error) {
	var fm WAVFormat
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fm, fmt.Errorf("%w: no RIFF header: %v", ErrBadWAV, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, fm, fmt.Errorf("%w: not a RIFF/WAVE file", ErrBadWAV)
	}
	riffEnd := 8 + int64(binary.LittleEndian.Uint32(hdr[4:]))
	pos := int64(12)
	haveFmt := false
	for range maxWAVChunks {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, fm, fmt.Errorf("%w: no data chunk: %v", ErrBadWAV, err)
		}
		pos += 8
		id, size := string(ch[:4]), int64(binary.LittleEndian.Uint32(ch[4:]))
		if pos+size > riffEnd {
			return nil, fm, fmt.Errorf("%w: chunk %q claims %d bytes, past the RIFF size", ErrBadWAV, id, size)
		}
		switch id {
		case "fmt ":
			if haveFmt {
				return nil, fm, fmt.Errorf("%w: two fmt chunks", ErrBadWAV)
			}
			if size < 16 || size > 64 {
				return nil, fm, fmt.Errorf("%w: fmt chunk of %d bytes", ErrBadWAV, size)
			}
			body := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, body); err != nil {
				return nil, fm, fmt.Errorf("%w: short fmt chunk: %v", ErrBadWAV, err)
			}
			pos += int64(len(body))
			var err error
			if fm, err = parseFmt(body[:size]); err != nil {
				return nil, fm, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, fm, fmt.Errorf("%w: data before fmt", ErrBadWAV)
			}
			block := int64(fm.Channels * 2)
			if size%block != 0 {
				return nil, fm, fmt.Errorf("%w: data chunk of %d bytes is not whole %d-byte frames", ErrBadWAV, size, block)
			}
			fm.Frames = int(size / block)
			if int64(fm.Frames) > maxSeconds*int64(fm.Rate) {
				return nil, fm, fmt.Errorf("%w: %d frames at %d Hz is over %d s", ErrWAVTooLong, fm.Frames, fm.Rate, maxSeconds)
			}
			mono, err := readPCM(r, fm)
			return mono, fm, err
		default:
			if size > maxSkipChunk {
				return nil, fm, fmt.Errorf("%w: chunk %q of %d bytes", ErrBadWAV, id, size)
			}
			n, err := io.CopyN(io.Discard, r, size+size%2)
			if err != nil && !(errors.Is(err, io.EOF) && n == size) {
				return nil, fm, fmt.Errorf("%w: chunk %q claims %d bytes, the file ends first", ErrBadWAV, id, size)
			}
			pos += n
		}
	}
	return nil, fm, fmt.Errorf("%w: more than %d chunks before the data", ErrBadWAV, maxWAVChunks)
}

// parseFmt checks a fmt chunk's body: 16-bit PCM (plain or extensible).
func parseFmt(b []byte) (WAVFormat, error) {
	le := binary.LittleEndian
	tag := le.Uint16(b[0:])
	fm := WAVFormat{Channels: int(le.Uint16(b[2:])), Rate: int(le.Uint32(b[4:]))}
	align, bits := int(le.Uint16(b[12:])), int(le.Uint16(b[14:]))
	if tag == 0xFFFE { // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes are the real tag
		if len(b) < 40 {
			return fm, fmt.Errorf("%w: extensible fmt chunk of %d bytes", ErrBadWAV, len(b))
		}
		tag = le.Uint16(b[24:])
	}
	if tag != 1 || bits != 16 {
		return fm, fmt.Errorf("%w: format tag %d, %d bits", ErrUnsupportedWAV, tag, bits)
	}
	if fm.Channels < 1 || fm.Channels > maxWAVChannels {
		return fm, fmt.Errorf("%w: %d channels (1 to %d)", ErrUnsupportedWAV, fm.Channels, maxWAVChannels)
	}
	if fm.Rate < minWAVRate || fm.Rate > maxWAVRate {
		return fm, fmt.Errorf("%w: %d Hz (%d to %d)", ErrUnsupportedWAV, fm.Rate, minWAVRate, maxWAVRate)
	}
	if align != 2*fm.Channels {
		return fm, fmt.Errorf("%w: block align %d for %d 16-bit channels", ErrBadWAV, align, fm.Channels)
	}
	return fm, nil
}

// readPCM reads fm.Frames frames of 16-bit PCM and averages the channels.
func readPCM(r io.Reader, fm WAVFormat) ([]int16, error) {
	block := fm.Channels * 2
	buf := make([]byte, readBlock/block*block)
	var out []int16
	left := fm.Frames
	for left > 0 {
		chunk := buf[:min(len(buf)/block, left)*block]
		if _, err := io.ReadFull(r, chunk); err != nil {
			return nil, fmt.Errorf("%w: data chunk claims %d frames, the file ends after %d", ErrBadWAV, fm.Frames, len(out))
		}
		for i := 0; i < len(chunk); i += block {
			sum := 0
			for c := 0; c < block; c += 2 {
				sum += int(int16(binary.LittleEndian.Uint16(chunk[i+c:])))
			}
			out = append(out, int16(sum/fm.Channels))
		}
		left -= len(chunk) / block
	}
	return out, nil
}
