package codec

import (
	"testing"

	"tincan/core/audio"
)

// speechA is the project's 48 kHz mono 16-bit test speech.
const speechA = "../../../assets/speech/speech-a.wav"

// readWAV reads a test speech file (48 kHz mono) and cuts it to whole frames.
func readWAV(t testing.TB, path string) []int16 {
	t.Helper()
	pcm, _, err := audio.ReadWAV(path)
	if err != nil {
		t.Fatalf("read the test speech: %v", err)
	}
	return pcm[:len(pcm)/FrameSamples*FrameSamples]
}
