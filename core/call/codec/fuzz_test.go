package codec

import (
	"testing"

	"github.com/hraban/opus"
)

// FuzzDecode feeds any bytes to Decode and DecodeFEC as a packet from the
// network and checks that each either fails or writes exactly one frame
// (nothing past it), and that the decoder still conceals exactly one frame
// afterwards.
func FuzzDecode(f *testing.F) {
	pkts := encodeAll(f, readWAV(f, speechA)[:SampleRate/2], DefaultBitrate, 10)
	f.Add(pkts[10])
	f.Add(pkts[20])
	f.Add([]byte{0xf8}) // a TOC byte alone
	f.Add([]byte{0x0b, 0xff, 0xff})
	f.Add([]byte{0x20, 0x30})             // 10 ms
	f.Add([]byte{0x13, 0x02, 0x11, 0x22}) // code 3: two 10 ms frames
	if e, err := opus.NewEncoder(SampleRate, 1, opus.AppVoIP); err == nil {
		p := make([]byte, MaxPacket)
		if n, err := e.Encode(make([]int16, 6*FrameSamples), p); err == nil {
			f.Add(p[:n]) // 120 ms: too long for one frame
		}
	}
	const sentinel = -12345
	f.Fuzz(func(t *testing.T, pkt []byte) {
		dec, err := NewDecoder()
		if err != nil {
			t.Fatalf("a new decoder fails: %v", err)
		}
		buf := make([]int16, 6*FrameSamples)
		fill := func() {
			for i := range buf {
				buf[i] = sentinel
			}
		}
		check := func(what string) {
			for i, v := range buf[FrameSamples:] {
				if v != sentinel {
					t.Fatalf("%s of %x wrote sample %d, past the frame", what, pkt, FrameSamples+i)
				}
			}
		}
		fill()
		n, err := dec.Decode(pkt, buf)
		if err == nil && n != FrameSamples {
			t.Fatalf("Decode of %x gave %d samples, want %d", pkt, n, FrameSamples)
		}
		if err == nil && (len(pkt) == 0 || len(pkt) > MaxPacket || packetSamples(pkt) != FrameSamples) {
			t.Fatalf("Decode accepted %x, a packet of %d bytes declaring %d samples", pkt, len(pkt), packetSamples(pkt))
		}
		check("Decode")
		fill()
		_ = dec.DecodeFEC(pkt, buf)
		check("DecodeFEC")
		fill()
		if err := dec.Conceal(buf); err != nil {
			t.Fatalf("Conceal after %x fails: %v", pkt, err)
		}
		check("Conceal")
		if d, err := dec.dec.LastPacketDuration(); err != nil || d != FrameSamples {
			t.Fatalf("Conceal after %x made %d samples (%v), want %d", pkt, d, err, FrameSamples)
		}
	})
}
