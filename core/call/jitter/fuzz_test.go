package jitter

import (
	"encoding/binary"
	"testing"
	"time"
)

// fuzzPacket is what the fuzz harness knows about a packet it made.
type fuzzPacket struct {
	seq      uint16
	ts       uint32
	accepted bool
	played   uint64 // 1 + the Resyncs count when it was played; 0: never
}

// FuzzBuffer reads its input as a program of operations on a Buffer (push a
// new packet with sequence and timestamp steps, push an old one again, pop,
// move the clock, even a little backwards) and checks after every operation that
// Normal and FEC frames come in strictly increasing timestamp order, that a
// frame carries exactly the packet it names, that no packet is played twice
// (unless the buffer resynced on a restarted sender in between), that only
// accepted packets are played, that the Stats identities hold and that the
// ring never holds more than its slots. At the end, popping for a while with
// no more packets must empty the buffer: nothing stalls.
func FuzzBuffer(f *testing.F) {
	f.Add([]byte{0, 0, 0, 4, 6, 0, 0, 0, 4, 6, 0, 0, 0, 4, 6, 6, 6, 6, 6})
	f.Add([]byte{0, 0, 0, 8, 6, 0, 2, 0, 8, 6, 0, 0, 0, 8, 6, 5, 0, 6, 6, 6, 6, 6, 6})
	f.Add([]byte{0, 3, 255, 9, 0, 0, 0, 9, 4, 200, 0, 0, 7, 9, 6, 6, 7, 10, 6, 6, 6})
	f.Add([]byte{1, 0, 0, 1, 1, 0, 0, 1, 4, 255, 4, 255, 4, 255, 4, 255, 4, 255, 1, 3, 255, 1, 6, 6, 6, 6, 6})
	f.Add([]byte{0, 0, 0, 4, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 4, 5, 0, 5, 0, 6, 6, 6, 6})
	f.Fuzz(fuzzOne)
}

// fuzzOne runs one program of FuzzBuffer.
func fuzzOne(t *testing.T, prog []byte) {
	{
		if len(prog) > 4096 {
			return
		}
		cfg := Config{Slots: 16, MaxDelay: 200 * ms}
		if len(prog) > 0 && prog[0]&0x80 != 0 {
			cfg = Config{Fixed: 3, NoFEC: true, Slots: 16}
		}
		b := New(cfg)
		slots := b.cfg.Slots
		var (
			pkts    []fuzzPacket
			seq     uint16 = 65530
			ts      uint32 = 1<<32 - 5*960
			clock   time.Duration
			latest  time.Duration // the latest the clock has been
			lastTS  uint32
			haveTS  bool
			resyncs uint64
		)
		arg := func(i int) byte {
			if i < len(prog) {
				return prog[i]
			}
			return 0
		}
		push := func(id int) {
			p := pkts[id]
			payload := make([]byte, 4+int(id%5))
			binary.BigEndian.PutUint32(payload, uint32(id))
			if b.Push(Packet{Seq: p.seq, TS: p.ts, Payload: payload}, simEpoch.Add(clock)) {
				pkts[id].accepted = true
			}
		}
		pop := func() {
			fr := b.Pop(simEpoch.Add(clock))
			s := b.Stats()
			if s.Resyncs != resyncs {
				resyncs, haveTS = s.Resyncs, false
			}
			if fr.Held && (fr.Kind == Normal || fr.Kind == FEC || fr.Payload != nil) {
				t.Fatalf("a held frame was %v with %d bytes; held frames carry nothing", fr.Kind, len(fr.Payload))
			}
			if fr.Kind != Normal && fr.Kind != FEC {
				return
			}
			if len(fr.Payload) < 4 {
				t.Fatalf("a %v frame carried %d bytes, not a payload the harness pushed", fr.Kind, len(fr.Payload))
			}
			id := int(binary.BigEndian.Uint32(fr.Payload))
			if id >= len(pkts) || !pkts[id].accepted {
				t.Fatalf("a %v frame carried packet %d, which was never accepted", fr.Kind, id)
			}
			p := &pkts[id]
			if haveTS && tsDiff(fr.TS, lastTS) <= 0 {
				t.Fatalf("a %v frame with timestamp %d came after one with %d", fr.Kind, fr.TS, lastTS)
			}
			lastTS, haveTS = fr.TS, true
			switch fr.Kind {
			case Normal:
				if p.seq != fr.Seq || p.ts != fr.TS {
					t.Fatalf("a Normal frame named seq %d ts %d but carried seq %d ts %d", fr.Seq, fr.TS, p.seq, p.ts)
				}
				if p.played == resyncs+1 {
					t.Fatalf("packet seq %d ts %d was played twice", p.seq, p.ts)
				}
				p.played = resyncs + 1
			case FEC:
				if p.ts != fr.TS+960 || p.seq != fr.Seq+1 {
					t.Fatalf("an FEC frame for seq %d ts %d carried seq %d ts %d, not the next packet", fr.Seq, fr.TS, p.seq, p.ts)
				}
			}
		}
		for i := 1; i < len(prog); i++ {
			switch prog[i] % 8 {
			case 0, 1, 2: // a new packet
				a, c := arg(i+1), arg(i+2)
				i += 2
				switch a & 3 {
				case 2:
					seq += 1 + uint16(a>>2&7) // lost packets
				case 3:
					seq = uint16(a)<<8 | uint16(c) // a restart
				default:
					seq++
				}
				switch {
				case c == 255:
					ts += uint32(a) << 24 // far away
				case c%8 < 6:
					ts += 960
				default:
					ts += 960 * (1 + uint32(c>>3)) // a DTX gap
				}
				pkts = append(pkts, fuzzPacket{seq: seq, ts: ts})
				push(len(pkts) - 1)
			case 3:
				pop()
			case 4:
				clock += time.Duration(arg(i+1)) * ms
				i++
			case 5: // an old packet again: a duplicate, or late
				if len(pkts) > 0 {
					push(len(pkts) - 1 - int(arg(i+1))%len(pkts))
				}
				i++
			case 6:
				clock += 20 * ms
				pop()
			case 7:
				// Push and Pop may read the clock on different
				// goroutines: a few milliseconds out of order, never more.
				clock = max(clock-time.Duration(arg(i+1)%32)*ms, latest-30*ms)
				i++
			}
			latest = max(latest, clock)
			s := b.Stats()
			checkStats(t, s, cfg)
			if s.Buffered > slots {
				t.Fatalf("the ring holds %d packets, more than its %d slots", s.Buffered, slots)
			}
		}
		for range 4*slots + 50 {
			clock += 20 * ms
			pop()
		}
		if s := b.Stats(); s.Buffered != 0 {
			t.Fatalf("after %d Pops with no new packet %d packets were still buffered: the buffer stalled", 4*slots+50, s.Buffered)
		}
	}
}
