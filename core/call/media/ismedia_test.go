package media

import (
	"bytes"
	"net"
	"testing"

	pion "github.com/pion/stun/v3"

	"tincan/core/punch"
	"tincan/core/stun"
)

// stunPackets are STUN messages of the kinds that share the UDP port.
func stunPackets(t *testing.T) [][]byte {
	t.Helper()
	var out [][]byte
	for _, setters := range [][]pion.Setter{
		{pion.TransactionID, pion.BindingRequest},
		{pion.TransactionID, pion.BindingRequest, pion.Fingerprint},
		{pion.TransactionID, pion.BindingSuccess, &pion.XORMappedAddress{IP: net.IPv4(203, 0, 113, 7), Port: 41641}},
		{pion.TransactionID, pion.BindingSuccess, &pion.XORMappedAddress{IP: net.ParseIP("2001:db8::1"), Port: 1}, pion.Fingerprint},
		{pion.TransactionID, pion.BindingError, pion.CodeUnknownAttribute},
	} {
		m, err := pion.Build(setters...)
		if err != nil {
			t.Fatalf("building a STUN message: %v", err)
		}
		out = append(out, m.Raw)
	}
	// A Binding request as written by hand (from core/stun's fuzz corpus).
	out = append(out, []byte("\x00\x01\x00\x00!\x12\xa4B\x01\x02\x03\x04\x05\x06\a\b\t\n\v\f"))
	for _, b := range out {
		if !stun.IsSTUN(b) {
			t.Fatalf("%x is not STUN to core/stun", b)
		}
	}
	return out
}

// punchProbe is framed as core/punch frames its probes (its MAC is not
// checked by the framing).
func punchProbe(t *testing.T) []byte {
	b := append([]byte{0xd1, 'p', 'n', '1'}, bytes.Repeat([]byte{0xd2}, punch.PacketSize-4)...)
	if !punch.IsProbe(b) {
		t.Fatalf("%x is not a probe to core/punch", b)
	}
	return b
}

func TestIsMediaTellsThePortsTrafficApart(t *testing.T) {
	for _, b := range stunPackets(t) {
		if IsMedia(b) {
			t.Errorf("the STUN message %x is taken for media", b)
		}
	}
	if IsMedia(punchProbe(t)) {
		t.Error("a punch probe is taken for media")
	}
	e := testEnds(t)
	pkts := append(sealAll(t, e.callerSend), sealAll(t, e.calleeSend)...)
	big, err := e.callerSend.SealAudio(nil, 1, 1, 0, make([]byte, punch.PacketSize-AudioSize(0)))
	if err != nil {
		t.Fatal(err)
	}
	pkts = append(pkts, big) // exactly a probe's size
	for _, b := range pkts {
		if !IsMedia(b) {
			t.Errorf("our %s packet %x is not taken for media", Kind(b[1]&15), b)
		}
		if stun.IsSTUN(b) || punch.IsProbe(b) {
			t.Errorf("our %s packet %x is taken for STUN or a punch probe", Kind(b[1]&15), b)
		}
	}
	// Any first byte but the magic is not media, at any length.
	for first := range 256 {
		for _, n := range []int{HeaderSize, MinPacket, punch.PacketSize, MaxPacket} {
			b := make([]byte, n)
			b[0] = byte(first)
			if IsMedia(b) != (first == Magic) {
				t.Fatalf("IsMedia of %d bytes starting %#x is %v", n, first, IsMedia(b))
			}
		}
	}
	if IsMedia([]byte{Magic}) || IsMedia(nil) {
		t.Error("a packet shorter than a header is taken for media")
	}
}

func TestStrangersAreCountedAsNotMedia(t *testing.T) {
	o := testEnds(t).calleeRecv
	for _, b := range append(stunPackets(t), punchProbe(t)) {
		if _, err := o.Open(b, nil); err != ErrNotMedia {
			t.Fatalf("opening %x gave %v, want ErrNotMedia", b, err)
		}
	}
	if s := o.Stats(); s.NotMedia != 7 || s.Opened != 0 {
		t.Fatalf("the stats are %+v, want 7 not media", s)
	}
}
