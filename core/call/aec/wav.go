package aec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// maxWAVBytes bounds a speech file read for measurement (about 10 minutes).
const maxWAVBytes = 64 << 20

// errWAV is wrapped by parseWAV's errors.
var errWAV = errors.New("not a 48 kHz mono 16-bit canonical WAV")

// readWAV reads a canonical 44-byte-header WAV file of 48 kHz mono 16-bit
// PCM.
func readWAV(path string) ([]int16, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if st.Size() > maxWAVBytes {
		return nil, fmt.Errorf("read %s: %d bytes, more than %d", path, st.Size(), maxWAVBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	s, err := parseWAV(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return s, nil
}

// parseWAV decodes the samples of a canonical WAV: RIFF, a 16-byte fmt
// chunk, then the data chunk. A data length past the end of b is cut to b.
func parseWAV(b []byte) ([]int16, error) {
	le := binary.LittleEndian
	switch {
	case len(b) < 44:
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", errWAV, len(b))
	case string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE":
		return nil, fmt.Errorf("%w: no RIFF/WAVE tag", errWAV)
	case string(b[12:16]) != "fmt " || le.Uint32(b[16:]) != 16:
		return nil, fmt.Errorf("%w: no 16-byte fmt chunk first", errWAV)
	case le.Uint16(b[20:]) != 1 || le.Uint16(b[22:]) != 1:
		return nil, fmt.Errorf("%w: format %d with %d channels", errWAV, le.Uint16(b[20:]), le.Uint16(b[22:]))
	case le.Uint32(b[24:]) != SampleRate || le.Uint16(b[34:]) != 16:
		return nil, fmt.Errorf("%w: %d Hz, %d bits", errWAV, le.Uint32(b[24:]), le.Uint16(b[34:]))
	case string(b[36:40]) != "data":
		return nil, fmt.Errorf("%w: no data chunk after fmt", errWAV)
	}
	data := b[44:]
	if n := le.Uint32(b[40:]); uint64(n) < uint64(len(data)) {
		data = data[:n]
	}
	s := make([]int16, len(data)/2)
	for i := range s {
		s[i] = int16(le.Uint16(data[2*i:]))
	}
	return s, nil
}
