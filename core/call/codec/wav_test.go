package codec

import (
	"encoding/binary"
	"os"
	"testing"
)

// speechA is the project's 48 kHz mono 16-bit test speech.
const speechA = "../../../assets/speech/speech-a.wav"

// readWAV reads a canonical 44-byte-header WAV file of 48 kHz mono 16-bit
// PCM and returns its samples, cut to whole frames.
func readWAV(t testing.TB, path string) []int16 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the test speech: %v", err)
	}
	le := binary.LittleEndian
	switch {
	case len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" || string(b[12:16]) != "fmt ":
		t.Fatalf("%s is not a canonical WAV file", path)
	case le.Uint16(b[20:]) != 1 || le.Uint16(b[22:]) != 1 || le.Uint32(b[24:]) != SampleRate || le.Uint16(b[34:]) != 16:
		t.Fatalf("%s is not 48 kHz mono 16-bit PCM", path)
	case string(b[36:40]) != "data" || int(le.Uint32(b[40:])) > len(b)-44:
		t.Fatalf("%s has no data chunk right after its format", path)
	}
	data := b[44 : 44+le.Uint32(b[40:])]
	pcm := make([]int16, len(data)/2/FrameSamples*FrameSamples)
	for i := range pcm {
		pcm[i] = int16(le.Uint16(data[2*i:]))
	}
	return pcm
}
