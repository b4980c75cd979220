package media

import (
	"bytes"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
)

// The pinned packets were computed apart from this package, with Python's
// cryptography library (HKDF-SHA256, ChaCha20Poly1305) following the layout
// in packet.go, so a format change made on both sides still fails here.
const (
	// Caller to callee, counter 42: seq 0x1234, ts 76800, FlagResume, testOpus.
	pinnedAudio = "d21174696e63000000000000002a0af8045bf48a0951bfa7b0f7b2de450c1eb60b063e3f6e38f25867fa2c9b8899961e92ca"
	// Callee to caller, counter 7: testReport.
	pinnedReport = "d21274696e6300000000000000070459134f01a945d7ea927f2055b402e562001041d6c99cbf72541a1768b6df142ca2d60a989ef1a1ed1e586794f4f0f71f5c365a"
)

func TestPinnedAudio(t *testing.T) {
	e := testEnds(t)
	e.callerSend.last = 41
	got, err := e.callerSend.SealAudio(nil, 0x1234, 76800, FlagResume, testOpus)
	if err != nil {
		t.Fatalf("sealing the pinned audio packet failed: %v", err)
	}
	if hex.EncodeToString(got) != pinnedAudio {
		t.Fatalf("the audio packet is\n%x\nbut the pinned bytes are\n%s", got, pinnedAudio)
	}
	if bytes.Contains(got, testOpus[3:]) {
		t.Fatal("the Opus payload is in the clear in the sealed packet")
	}
	p, err := e.calleeRecv.Open(got, make([]byte, 0, MaxBody))
	if err != nil {
		t.Fatalf("the callee cannot open the pinned audio packet: %v", err)
	}
	a := p.Audio
	if p.Kind != KindAudio || p.Counter != 42 || a.Seq != 0x1234 || a.TS != 76800 || a.Flags != FlagResume || !bytes.Equal(a.Payload, testOpus) {
		t.Fatalf("the pinned audio packet opened as %+v", p)
	}
}

func TestPinnedReport(t *testing.T) {
	e := testEnds(t)
	e.calleeSend.last = 6
	got, err := e.calleeSend.SealReport(nil, testReport)
	if err != nil {
		t.Fatalf("sealing the pinned report failed: %v", err)
	}
	if hex.EncodeToString(got) != pinnedReport {
		t.Fatalf("the report packet is\n%x\nbut the pinned bytes are\n%s", got, pinnedReport)
	}
	p, err := e.callerRecv.Open(got, nil)
	if err != nil {
		t.Fatalf("the caller cannot open the pinned report: %v", err)
	}
	if p.Kind != KindReport || p.Counter != 7 || p.Report != testReport {
		t.Fatalf("the pinned report opened as %+v, want %+v", p, testReport)
	}
}

// sealAll seals one packet of every kind with s.
func sealAll(t *testing.T, s *Sealer) [][]byte {
	t.Helper()
	var out [][]byte
	add := func(b []byte, err error) {
		if err != nil {
			t.Fatalf("sealing failed: %v", err)
		}
		out = append(out, b)
	}
	add(s.SealAudio(nil, 65535, 4294966336, 0, testOpus))
	add(s.SealReport(nil, testReport))
	add(s.SealPing(nil, Ping{SentMicros: 123456789}))
	add(s.SealPong(nil, Pong{EchoMicros: 123456789, HeldMicros: 250}))
	return out
}

func checkAll(t *testing.T, o *Opener, pkts [][]byte, firstCounter uint64) {
	t.Helper()
	want := []Packet{
		{Kind: KindAudio, Audio: Audio{Seq: 65535, TS: 4294966336, Payload: testOpus}},
		{Kind: KindReport, Report: testReport},
		{Kind: KindPing, Ping: Ping{SentMicros: 123456789}},
		{Kind: KindPong, Pong: Pong{EchoMicros: 123456789, HeldMicros: 250}},
	}
	for i, b := range pkts {
		p, err := o.Open(b, make([]byte, 0, MaxBody))
		if err != nil {
			t.Fatalf("the %s packet does not open: %v", want[i].Kind, err)
		}
		w := want[i]
		w.Counter = firstCounter + uint64(i)
		if !samePacket(p, w) {
			t.Fatalf("the %s packet opened as %+v, want %+v", w.Kind, p, w)
		}
	}
}

func TestRoundTripEveryKindBothWays(t *testing.T) {
	e := testEnds(t)
	checkAll(t, e.calleeRecv, sealAll(t, e.callerSend), 1)
	checkAll(t, e.callerRecv, sealAll(t, e.calleeSend), 1)
	if got := e.calleeRecv.Stats(); got != (Stats{Opened: 4}) {
		t.Fatalf("the callee's stats are %+v after four good packets", got)
	}
	if e.callerSend.Sent() != 4 || e.calleeRecv.Highest() != 4 {
		t.Fatalf("sent %d, highest %d after four packets", e.callerSend.Sent(), e.calleeRecv.Highest())
	}
}

func TestDirectionsHaveTheirOwnKeys(t *testing.T) {
	e := testEnds(t)
	up, err := derive(testCallKey(), testCallID, infoCallerToCallee)
	if err != nil {
		t.Fatal(err)
	}
	down, err := derive(testCallKey(), testCallID, infoCalleeToCaller)
	if err != nil {
		t.Fatal(err)
	}
	if up.key == down.key || up.salt == down.salt {
		t.Fatal("the two directions derive the same key or salt")
	}
	fromCaller := sealAll(t, e.callerSend)
	fromCallee := sealAll(t, e.calleeSend)
	for i := range fromCaller {
		if bytes.Equal(fromCaller[i], fromCallee[i]) {
			t.Fatalf("packet %d is the same sealed by either side", i)
		}
		// Each side's own packets reflected back do not open.
		if _, err := e.callerRecv.Open(fromCaller[i], nil); err != ErrAuth {
			t.Fatalf("the caller opened its own packet %d reflected back: %v", i, err)
		}
		if _, err := e.calleeRecv.Open(fromCallee[i], nil); err != ErrAuth {
			t.Fatalf("the callee opened its own packet %d reflected back: %v", i, err)
		}
	}
}

func TestOtherCallsAreRefused(t *testing.T) {
	e := testEnds(t)
	otherKey := testCallKey()
	otherKey[31] ^= 1
	sameTagOtherID := testCallID
	sameTagOtherID[7] ^= 1
	otherTag := testCallID
	otherTag[0] ^= 1
	for _, c := range []struct {
		name string
		key  [32]byte
		id   [8]byte
		want error
	}{
		{"another call key", otherKey, testCallID, ErrAuth},
		{"another call ID with the same tag", testCallKey(), sameTagOtherID, ErrAuth},
		{"another call ID", testCallKey(), otherTag, ErrOtherCall},
	} {
		other := newEnds(t, c.key, c.id)
		for i, b := range sealAll(t, other.callerSend) {
			if _, err := e.calleeRecv.Open(b, nil); err != c.want {
				t.Errorf("packet %d of %s: got %v, want %v", i, c.name, err, c.want)
			}
		}
	}
	if _, _, err := Keys([32]byte{}, testCallID, true); err == nil {
		t.Error("an all-zero call key was accepted")
	}
}

func TestFlippedBitsAreRefused(t *testing.T) {
	e := testEnds(t)
	for _, b := range sealAll(t, e.callerSend) {
		for i := range len(b) * 8 {
			c := bytes.Clone(b)
			c[i/8] ^= 1 << (i % 8)
			_, err := e.calleeRecv.Open(c, make([]byte, 0, MaxBody))
			var want error // any refusal, but some places have their own
			switch {
			case i/8 == 0:
				want = ErrNotMedia
			case i/8 == 1 && i%8 >= 4:
				want = ErrVersion
			case i/8 >= 2 && i/8 < 6:
				want = ErrOtherCall
			case i/8 >= HeaderSize:
				want = ErrAuth
			}
			if err == nil || (want != nil && err != want) {
				t.Fatalf("a %s packet with bit %d flipped: got %v, want %v", Kind(b[1]&15), i, err, want)
			}
		}
	}
	// No refusal moved the window: the originals all open.
	checkAll(t, e.calleeRecv, sealAllAgain(t), 1)
}

// sealAllAgain seals the same packets sealAll does on a fresh caller.
func sealAllAgain(t *testing.T) [][]byte {
	return sealAll(t, testEnds(t).callerSend)
}

func TestTruncatedAndLongerPacketsAreRefused(t *testing.T) {
	e := testEnds(t)
	for _, b := range sealAll(t, e.callerSend) {
		for n := range len(b) {
			if _, err := e.calleeRecv.Open(bytes.Clone(b[:n]), nil); err == nil {
				t.Fatalf("a %s packet cut to %d of %d bytes opened", Kind(b[1]&15), n, len(b))
			}
		}
		if _, err := e.calleeRecv.Open(append(bytes.Clone(b), 0), nil); err == nil {
			t.Fatalf("a %s packet with a byte added opened", Kind(b[1]&15))
		}
	}
	checkAll(t, e.calleeRecv, sealAllAgain(t), 1)
}

func TestLimits(t *testing.T) {
	e := testEnds(t)
	big, err := e.callerSend.SealAudio(nil, 1, 960, 0, make([]byte, MaxOpus))
	if err != nil || len(big) > MaxPacket || len(big) != AudioSize(MaxOpus) {
		t.Fatalf("the largest Opus frame sealed to %d bytes (limit %d), err %v", len(big), MaxPacket, err)
	}
	if _, err := e.calleeRecv.Open(big, make([]byte, 0, MaxBody)); err != nil {
		t.Fatalf("the largest audio packet does not open: %v", err)
	}
	if _, err := e.callerSend.SealAudio(nil, 1, 960, 0, make([]byte, MaxOpus+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("an Opus frame over MaxOpus sealed with %v", err)
	}
	if _, err := e.callerSend.SealAudio(nil, 1, 960, 0, nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("an empty Opus frame sealed with %v", err)
	}
	if _, err := e.callerSend.SealAudio(nil, 1, 960, 0x80, testOpus); !errors.Is(err, ErrMalformed) {
		t.Errorf("unknown audio flags sealed with %v", err)
	}
	huge := make([]byte, MaxPacket+1)
	putHeader(huge, KindAudio, TagOf(testCallID), 2)
	if _, err := e.calleeRecv.Open(huge, nil); err != ErrTooLarge {
		t.Errorf("a packet over MaxPacket opened with %v, want ErrTooLarge", err)
	}
	for _, r := range []Report{
		{SentMicros: 1, JitterMicros: MaxJitterMicros + 1},
		{SentMicros: 1, TargetMillis: MaxBufferMillis + 1},
		{SentMicros: 1, DepthMillis: MaxBufferMillis + 1},
		{SentMicros: 0},
		{SentMicros: 1, EchoMicros: 1, HeldMicros: MaxHeldMicros + 1},
		{SentMicros: 1, HeldMicros: 1},
	} {
		if _, err := e.callerSend.SealReport(nil, r); !errors.Is(err, ErrMalformed) {
			t.Errorf("the report %+v sealed with %v", r, err)
		}
	}
	if _, err := e.callerSend.SealPing(nil, Ping{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("a ping with no time sealed with %v", err)
	}
	for _, p := range []Pong{{}, {EchoMicros: 1, HeldMicros: MaxHeldMicros + 1}} {
		if _, err := e.callerSend.SealPong(nil, p); !errors.Is(err, ErrMalformed) {
			t.Errorf("the pong %+v sealed with %v", p, err)
		}
	}
	if got := e.callerSend.Sent(); got != 1 {
		t.Errorf("refused seals used counters: %d sent, want 1", got)
	}
}

// An authentic packet whose body breaks a bound (a peer's bug) is refused,
// and its counter is spent.
func TestAuthenticOutOfBoundsBodyIsMalformed(t *testing.T) {
	e := testEnds(t)
	pkt := make([]byte, ReportSize)
	bad := testReport
	bad.JitterMicros = MaxJitterMicros + 1
	bad.put(pkt[HeaderSize:])
	if _, err := e.callerSend.seal(pkt, pkt, KindReport, reportSize); err != nil {
		t.Fatal(err)
	}
	if _, err := e.calleeRecv.Open(bytes.Clone(pkt), nil); err != ErrMalformed {
		t.Fatalf("an authentic report with jitter out of bounds opened with %v, want ErrMalformed", err)
	}
	if _, err := e.calleeRecv.Open(pkt, nil); err != ErrReplay {
		t.Fatalf("its second copy opened with %v, want ErrReplay", err)
	}
	if s := e.calleeRecv.Stats(); s.Malformed != 1 || s.Replay != 1 || s.Opened != 0 {
		t.Fatalf("the stats are %+v", s)
	}
}

func TestCounterExhaustion(t *testing.T) {
	e := testEnds(t)
	last := sealAudioAt(t, e.callerSend, MaxCounter, testOpus)
	if _, err := e.calleeRecv.Open(last, nil); err != nil {
		t.Fatalf("the packet with the last counter does not open: %v", err)
	}
	dst := make([]byte, 0, MaxPacket)
	if _, err := e.callerSend.SealAudio(dst, 1, 960, 0, testOpus); !errors.Is(err, ErrExhausted) {
		t.Fatalf("sealing past MaxCounter gave %v, want ErrExhausted", err)
	}
	if bytes.Contains(dst[:cap(dst)], testOpus) {
		t.Fatal("a refused seal left the Opus payload in the caller's buffer")
	}
	if _, err := e.callerSend.SealPing(nil, Ping{SentMicros: 1}); !errors.Is(err, ErrExhausted) {
		t.Fatalf("sealing a ping past MaxCounter gave %v, want ErrExhausted", err)
	}
	forged := bytes.Clone(last)
	putHeader(forged, KindAudio, TagOf(testCallID), MaxCounter+1)
	if _, err := e.calleeRecv.Open(forged, nil); err != ErrMalformed {
		t.Fatalf("a counter past MaxCounter opened with %v, want ErrMalformed", err)
	}
}

func TestSealerIsSafeForConcurrentUse(t *testing.T) {
	e := testEnds(t)
	const each = 300
	pkts := make(chan []byte, 2*each)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := range each {
				b, err := e.callerSend.SealAudio(nil, uint16(i), 0, 0, testOpus)
				if err != nil {
					t.Errorf("concurrent seal: %v", err)
					return
				}
				pkts <- b
			}
		})
	}
	wg.Wait()
	close(pkts)
	seen := map[uint64]bool{}
	for b := range pkts {
		p, err := e.calleeRecv.Open(b, nil)
		if err != nil {
			t.Fatalf("a concurrently sealed packet does not open: %v", err)
		}
		if seen[p.Counter] {
			t.Fatalf("counter %d was used twice", p.Counter)
		}
		seen[p.Counter] = true
	}
	if len(seen) != 2*each {
		t.Fatalf("%d distinct counters for %d packets", len(seen), 2*each)
	}
}

func TestRTT(t *testing.T) {
	for _, c := range []struct {
		now, echo uint64
		held      uint32
		want      int64 // µs, -1 for none
	}{
		{1_100_000, 1_000_000, 30_000, 70_000},
		{1_000_000, 1_000_000, 0, 0},
		{1_000_000, 0, 0, -1},
		{900_000, 1_000_000, 0, -1},
		{1_000_000, 990_000, 20_000, -1},
		{1 << 62, 1, 0, -1},
	} {
		got, ok := RTT(c.now, c.echo, c.held)
		if (c.want < 0) == ok || (ok && got.Microseconds() != c.want) {
			t.Errorf("RTT(%d, %d, %d) = %v, %v; want %d µs", c.now, c.echo, c.held, got, ok, c.want)
		}
	}
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	e := testEnds(t)
	pkt := make([]byte, 0, MaxPacket)
	body := make([]byte, 0, MaxBody)
	opus := make([]byte, 120)
	forged := sealAudioAt(t, testEnds(t).callerSend, 1<<40, opus)
	forged[len(forged)-1] ^= 1
	var failed error
	allocs := testing.AllocsPerRun(500, func() {
		b, err := e.callerSend.SealAudio(pkt[:0], 1, 960, 0, opus)
		if err == nil {
			_, err = e.calleeRecv.Open(b, body)
		}
		if err == nil {
			b, err = e.callerSend.SealAudio(pkt[:0], 2, 1920, 0, opus)
		}
		if err == nil {
			_, err = e.calleeRecv.Open(b, nil) // in place
		}
		if err == nil {
			b, err = e.callerSend.SealReport(pkt[:0], testReport)
		}
		if err == nil {
			_, err = e.calleeRecv.Open(b, body)
		}
		if err == nil {
			if _, err = e.calleeRecv.Open(forged, body); err == ErrAuth {
				err = nil
			}
		}
		if err != nil && failed == nil {
			failed = err
		}
	})
	if failed != nil {
		t.Fatalf("the hot path failed: %v", failed)
	}
	if allocs != 0 {
		t.Fatalf("sealing and opening allocate %.1f times per round, want 0", allocs)
	}
}

func BenchmarkSealOpenAudio(b *testing.B) {
	e := testEnds(b)
	pkt := make([]byte, 0, MaxPacket)
	body := make([]byte, 0, MaxBody)
	opus := make([]byte, 120)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p, err := e.callerSend.SealAudio(pkt[:0], uint16(i), uint32(i)*960, 0, opus)
		if err == nil {
			_, err = e.calleeRecv.Open(p, body)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
