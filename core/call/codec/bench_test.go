package codec

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkEncodeDecode encodes and decodes one 20 ms frame of speech per
// iteration, at 32 kb/s with FEC for 10% loss, for each complexity worth
// choosing from. It reports the CPU time of its own thread per frame
// (cpu-ns/op, zero where not measured), which a machine shared with other
// work does not inflate as it does ns/op, and that as a share of one core
// at 50 frames a second (%core@50fps).
func BenchmarkEncodeDecode(b *testing.B) {
	pcm := readWAV(b, speechA)
	frames := len(pcm) / FrameSamples
	for _, cx := range []int{5, 6, 7, 8} {
		b.Run(fmt.Sprintf("complexity=%d", cx), func(b *testing.B) {
			enc, err := NewEncoder(Config{Complexity: cx})
			if err != nil {
				b.Fatal(err)
			}
			if err := enc.SetLossPercent(10); err != nil {
				b.Fatal(err)
			}
			dec, err := NewDecoder()
			if err != nil {
				b.Fatal(err)
			}
			pkt := make([]byte, MaxPacket)
			out := make([]int16, FrameSamples)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			i := 0
			cpu := threadCPU()
			for b.Loop() {
				f := pcm[i*FrameSamples : (i+1)*FrameSamples]
				i = (i + 1) % frames
				n, err := enc.Encode(f, pkt)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := dec.Decode(pkt[:n], out); err != nil {
					b.Fatal(err)
				}
			}
			perOp := float64((threadCPU() - cpu).Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp, "cpu-ns/op")
			b.ReportMetric(50*perOp/1e9*100, "%core@50fps")
		})
	}
}
