package media

import (
	"bytes"
	"errors"
	"testing"
)

// fuzzKeys is the callee's side of the test call: the direction the
// fuzzers' packets are sealed for.
func fuzzKeys(t testing.TB) directionKey {
	k, err := derive(testCallKey(), testCallID, infoCallerToCallee)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fuzzSeeds are the authentic packets FuzzOpen starts from, sealed by the
// caller with counters 1..n. Nothing else the fuzzer makes may open.
func fuzzSeeds(t testing.TB) [][]byte {
	s := testEnds(t).callerSend
	var out [][]byte
	add := func(b []byte, err error) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	add(s.SealAudio(nil, 7, 6720, FlagResume, testOpus))
	add(s.SealAudio(nil, 8, 7680, 0, []byte{0x78}))
	add(s.SealReport(nil, testReport))
	add(s.SealReport(nil, Report{SentMicros: 1}))
	add(s.SealPing(nil, Ping{SentMicros: 99}))
	add(s.SealPong(nil, Pong{EchoMicros: 99, HeldMicros: 1}))
	s.last = MaxCounter - 1
	add(s.SealAudio(nil, 9, 8640, 0, bytes.Repeat([]byte{0xaa}, MaxOpus)))
	return out
}

// FuzzOpen checks that Open never panics, opens nothing but the authentic
// seeds (any change to one must fail), returns fields within their limits
// that re-seal to the same bytes, leaves b alone when given a buffer,
// agrees with itself decrypting in place, and refuses a second copy.
func FuzzOpen(f *testing.F) {
	seeds := fuzzSeeds(f)
	authentic := map[string]bool{}
	for _, b := range seeds {
		authentic[string(b)] = true
		f.Add(b)
		f.Add(b[:len(b)-1])
	}
	f.Add([]byte{Magic, 0x11, 't', 'i', 'n', 'c', 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte("\x00\x01\x00\x00!\x12\xa4B\x01\x02\x03\x04\x05\x06\a\b\t\n\v\f"))
	f.Add(append([]byte{0xd1, 'p', 'n', '1'}, make([]byte, 65)...))
	key := fuzzKeys(f)
	tag := TagOf(testCallID)
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := newOpener(key, tag)
		if err != nil {
			t.Fatal(err)
		}
		orig := bytes.Clone(b)
		p, err := o.Open(b, make([]byte, 0, MaxBody))
		if !bytes.Equal(b, orig) {
			t.Fatalf("Open with a buffer changed its input %x to %x", orig, b)
		}
		inPlace, _ := newOpener(key, tag)
		p2, err2 := inPlace.Open(bytes.Clone(b), nil)
		if err2 != err || !samePacket(p, p2) {
			t.Fatalf("%x opens as %+v, %v with a buffer but %+v, %v in place", b, p, err, p2, err2)
		}
		if err != nil {
			switch err {
			case ErrNotMedia, ErrVersion, ErrOtherCall, ErrTooLarge, ErrMalformed, ErrReplay, ErrAuth:
			default:
				t.Fatalf("%x: Open returned %v, not one of its sentinels", b, err)
			}
			if !samePacket(p, Packet{}) {
				t.Fatalf("%x: a refused packet came back with fields %+v", b, p)
			}
			return
		}
		if !authentic[string(b)] {
			t.Fatalf("%x was never sealed, yet it opened as %+v", b, p)
		}
		checkFields(t, p)
		s, err := newSealer(key, tag)
		if err != nil {
			t.Fatal(err)
		}
		s.last = p.Counter - 1
		if again := reseal(t, s, p); !bytes.Equal(again, b) {
			t.Fatalf("%x opens as %+v, which seals as %x", b, p, again)
		}
		if _, err := o.Open(b, nil); err != ErrReplay {
			t.Fatalf("a second copy of %x gave %v, want ErrReplay", b, err)
		}
	})
}

// checkFields fails unless every field of p is within its limits.
func checkFields(t *testing.T, p Packet) {
	t.Helper()
	if p.Counter == 0 || p.Counter > MaxCounter {
		t.Fatalf("an opened packet has counter %d", p.Counter)
	}
	var err error
	switch p.Kind {
	case KindAudio:
		err = checkAudio(p.Audio.Flags, len(p.Audio.Payload))
	case KindReport:
		err = p.Report.check()
	case KindPing:
		if p.Ping.SentMicros == 0 {
			err = errSent
		}
	case KindPong:
		err = p.Pong.check()
	default:
		t.Fatalf("an opened packet has kind %d", p.Kind)
	}
	if err != nil {
		t.Fatalf("an opened packet %+v is out of bounds: %v", p, err)
	}
}

// reseal seals p's body again with s.
func reseal(t *testing.T, s *Sealer, p Packet) []byte {
	t.Helper()
	var b []byte
	var err error
	switch p.Kind {
	case KindAudio:
		b, err = s.SealAudio(nil, p.Audio.Seq, p.Audio.TS, p.Audio.Flags, p.Audio.Payload)
	case KindReport:
		b, err = s.SealReport(nil, p.Report)
	case KindPing:
		b, err = s.SealPing(nil, p.Ping)
	case KindPong:
		b, err = s.SealPong(nil, p.Pong)
	}
	if err != nil {
		t.Fatalf("re-sealing %+v failed: %v", p, err)
	}
	return b
}

// FuzzRoundTripAudio checks that SealAudio refuses exactly the frames out of
// bounds, and that what it seals is the right size, has no long run of the
// payload in the clear, and opens to the same fields.
func FuzzRoundTripAudio(f *testing.F) {
	f.Add(uint16(0), uint32(0), uint8(0), []byte{1})
	f.Add(uint16(65535), uint32(4294966336), FlagResume, testOpus)
	f.Add(uint16(1), uint32(960), uint8(2), testOpus)
	f.Add(uint16(1), uint32(960), uint8(0), []byte{})
	f.Add(uint16(1), uint32(960), uint8(0), make([]byte, MaxOpus+1))
	f.Fuzz(func(t *testing.T, seq uint16, ts uint32, flags uint8, opus []byte) {
		e := testEnds(t)
		prefix := []byte("kept")
		b, err := e.callerSend.SealAudio(bytes.Clone(prefix), seq, ts, flags, opus)
		valid := len(opus) >= 1 && len(opus) <= MaxOpus && flags&^FlagResume == 0
		if (err == nil) != valid {
			t.Fatalf("sealing seq %d flags %#x with %d bytes of Opus gave %v", seq, flags, len(opus), err)
		}
		if !valid {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("a refused frame gave %v", err)
			}
			return
		}
		if !bytes.HasPrefix(b, prefix) {
			t.Fatalf("SealAudio did not append to dst: %x", b)
		}
		b = b[len(prefix):]
		if len(b) != AudioSize(len(opus)) || len(b) > MaxPacket || !IsMedia(b) {
			t.Fatalf("%d bytes of Opus sealed to %d bytes", len(opus), len(b))
		}
		if len(opus) >= 16 && bytes.Contains(b, opus[:16]) {
			t.Fatalf("the payload's first 16 bytes are in the clear in %x", b)
		}
		p, err := e.calleeRecv.Open(b, make([]byte, 0, MaxBody))
		want := Packet{Kind: KindAudio, Counter: 1, Audio: Audio{Seq: seq, TS: ts, Flags: flags, Payload: opus}}
		if err != nil || !samePacket(p, want) {
			t.Fatalf("the audio packet opened as %+v, %v; want %+v", p, err, want)
		}
	})
}

// FuzzRoundTripReport checks that SealReport refuses exactly the reports out
// of bounds, and that what it seals opens to the same report.
func FuzzRoundTripReport(f *testing.F) {
	r := testReport
	f.Add(r.HighestSeq, r.Lost, r.FractionLost, r.Concealed, r.JitterMicros, r.TargetMillis, r.DepthMillis, r.SentMicros, r.EchoMicros, r.HeldMicros)
	f.Add(uint16(0), uint32(0), uint8(0), uint8(0), uint32(0), uint16(0), uint16(0), uint64(1), uint64(0), uint32(0))
	f.Add(uint16(1), uint32(1), uint8(255), uint8(255), uint32(MaxJitterMicros+1), uint16(MaxBufferMillis), uint16(MaxBufferMillis+1), uint64(0), uint64(0), uint32(1))
	f.Fuzz(func(t *testing.T, seq uint16, lost uint32, frac, conc uint8, jitter uint32, target, depth uint16, sent, echo uint64, held uint32) {
		r := Report{seq, lost, frac, conc, jitter, target, depth, sent, echo, held}
		e := testEnds(t)
		b, err := e.calleeSend.SealReport(nil, r)
		valid := jitter <= MaxJitterMicros && target <= MaxBufferMillis && depth <= MaxBufferMillis &&
			sent != 0 && held <= MaxHeldMicros && (echo != 0 || held == 0)
		if (err == nil) != valid {
			t.Fatalf("sealing %+v gave %v", r, err)
		}
		if !valid {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("a refused report gave %v", err)
			}
			return
		}
		if len(b) != ReportSize {
			t.Fatalf("a report sealed to %d bytes, want %d", len(b), ReportSize)
		}
		p, err := e.callerRecv.Open(b, nil)
		if err != nil || p.Kind != KindReport || p.Report != r {
			t.Fatalf("the report %+v opened as %+v, %v", r, p, err)
		}
	})
}
