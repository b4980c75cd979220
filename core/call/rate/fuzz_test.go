package rate

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// step is one report and the time since the previous one, as the fuzzer
// draws them: 12 bytes each.
type step struct {
	rep Report
	dt  time.Duration
}

func steps(b []byte) []step {
	var s []step
	for ; len(b) >= 12 && len(s) < 200; b = b[12:] {
		le := binary.LittleEndian
		s = append(s, step{
			rep: Report{
				LossFraction: float64(math.Float32frombits(le.Uint32(b))),
				RTT:          time.Duration(int16(le.Uint16(b[4:]))) * time.Millisecond * 4,
				Jitter:       time.Duration(int16(le.Uint16(b[6:]))) * time.Millisecond,
			},
			dt: time.Duration(int32(le.Uint32(b[8:]))) * time.Microsecond,
		})
	}
	return s
}

func encodeSteps(s ...step) []byte {
	var b []byte
	for _, x := range s {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x.rep.LossFraction)))
		b = binary.LittleEndian.AppendUint16(b, uint16(x.rep.RTT/time.Millisecond/4))
		b = binary.LittleEndian.AppendUint16(b, uint16(x.rep.Jitter/time.Millisecond))
		b = binary.LittleEndian.AppendUint32(b, uint32(x.dt/time.Microsecond))
	}
	return b
}

// FuzzUpdate feeds any sequence of reports at any times (backwards too,
// with losses that are not numbers) and checks that every decision stays
// within range, keeps FEC working while there is loss, never raises the
// bitrate on heavy loss (beyond the FEC floor), and that a second
// controller fed the same decides the same.
func FuzzUpdate(f *testing.F) {
	sec := time.Second
	f.Add(encodeSteps(step{clean, sec}, step{clean, sec}, step{clean, sec}))
	f.Add(encodeSteps(step{lossy(0.3), sec}, step{lossy(0.3), sec}, step{clean, 5 * sec}, step{lossy(0.01), sec}))
	f.Add(encodeSteps(step{Report{RTT: 50 * time.Millisecond}, sec}, step{Report{RTT: 2 * sec}, 10 * time.Millisecond},
		step{Report{LossFraction: 1, RTT: 50 * time.Millisecond}, -sec}))
	f.Add(encodeSteps(step{Report{LossFraction: math.NaN()}, 0}, step{Report{LossFraction: math.Inf(-1), RTT: -sec, Jitter: -sec}, sec}))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := steps(b)
		a, c := New(Config{}), New(Config{Bitrate: int(len(b)) * 1000})
		c2 := New(Config{Bitrate: int(len(b)) * 1000})
		now := time.Unix(1_800_000_000, 0)
		prev := a.Decision()
		for i, x := range s {
			now = now.Add(x.dt)
			d := a.Update(x.rep, now)
			checkDecision(t, d)
			loss := x.rep.LossFraction
			if loss > 0 && d.LossPercent < min(MaxLossPercent, int(math.Ceil(min(loss, 1)*100-1e-6))) {
				t.Fatalf("step %d: loss %v gave loss percent %d", i, loss, d.LossPercent)
			}
			if loss > lossDecrease && d.Bitrate > max(prev.Bitrate, FECMinBitrate) {
				t.Fatalf("step %d: loss %v raised the bitrate from %d to %d", i, loss, prev.Bitrate, d.Bitrate)
			}
			if up := d.Bitrate - max(prev.Bitrate, FECMinBitrate); up > int(increaseFast*maxStep.Seconds())+1 {
				t.Fatalf("step %d: the bitrate jumped from %d to %d in one report", i, prev.Bitrate, d.Bitrate)
			}
			prev = d
			checkDecision(t, c.Update(x.rep, now))
			if d1, d2 := c.Decision(), c2.Update(x.rep, now); d1 != d2 {
				t.Fatalf("step %d: two controllers fed the same decide %+v and %+v", i, d1, d2)
			}
		}
	})
}
