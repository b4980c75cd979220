package media

import (
	"bytes"
	"testing"
)

// testCallKey is 00 01 02 ... 1f.
func testCallKey() [32]byte {
	var k [32]byte
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

var testCallID = [8]byte{'t', 'i', 'n', 'c', 'a', 'n', 0, 1}

// ends is both sides of one call.
type ends struct {
	callerSend *Sealer
	callerRecv *Opener
	calleeSend *Sealer
	calleeRecv *Opener
}

func newEnds(t testing.TB, key [32]byte, id [8]byte) ends {
	t.Helper()
	var e ends
	var err error
	if e.callerSend, e.callerRecv, err = Keys(key, id, true); err != nil {
		t.Fatalf("the caller's keys: %v", err)
	}
	if e.calleeSend, e.calleeRecv, err = Keys(key, id, false); err != nil {
		t.Fatalf("the callee's keys: %v", err)
	}
	return e
}

func testEnds(t testing.TB) ends { return newEnds(t, testCallKey(), testCallID) }

// sealAudioAt seals an audio packet with counter c.
func sealAudioAt(t testing.TB, s *Sealer, c uint64, opus []byte) []byte {
	t.Helper()
	s.last = c - 1
	b, err := s.SealAudio(nil, uint16(c), uint32(c)*960, 0, opus)
	if err != nil {
		t.Fatalf("sealing audio at counter %d: %v", c, err)
	}
	return b
}

var testReport = Report{
	HighestSeq: 0x1234, Lost: 5, FractionLost: 13, Concealed: 9,
	JitterMicros: 4200, TargetMillis: 60, DepthMillis: 40,
	SentMicros: 1_000_000, EchoMicros: 900_000, HeldMicros: 2_500,
}

var testOpus = []byte("\xfc\xff\xfeopus frame")

// samePacket reports whether a and b are the same packet, payload included.
func samePacket(a, b Packet) bool {
	return a.Kind == b.Kind && a.Counter == b.Counter && a.Report == b.Report &&
		a.Ping == b.Ping && a.Pong == b.Pong && a.Audio.Seq == b.Audio.Seq &&
		a.Audio.TS == b.Audio.TS && a.Audio.Flags == b.Audio.Flags &&
		bytes.Equal(a.Audio.Payload, b.Audio.Payload)
}
