package codec

// frameSizes is the duration at 48 kHz of one frame of each of the 32 Opus
// configurations (RFC 6716, 3.1): SILK 10/20/40/60 ms for three bands,
// hybrid 10/20 ms for two, CELT 2.5/5/10/20 ms for four.
var frameSizes = [32]int{
	480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
	480, 960, 480, 960,
	120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
}

// packetSamples returns the duration at 48 kHz that an Opus packet's TOC
// byte (and frame count byte, for code 3) declares, or 0 for a packet too
// short to declare one.
func packetSamples(pkt []byte) int {
	if len(pkt) == 0 {
		return 0
	}
	frames := 1
	switch pkt[0] & 3 {
	case 1, 2:
		frames = 2
	case 3:
		if len(pkt) < 2 {
			return 0
		}
		frames = int(pkt[1] & 0x3f)
	}
	return frames * frameSizes[pkt[0]>>3]
}
