package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func randCall(r *rand.Rand) Call {
	c := Call{Kind: CallKind(1 + r.IntN(int(CallKeepalive)))}
	for i := range c.ID {
		c.ID[i] = byte(r.Uint32())
	}
	if c.Kind == CallOffer {
		for i := range c.Key {
			c.Key[i] = byte(r.Uint32())
		}
	}
	if c.Kind == CallOffer || c.Kind == CallAnswer {
		for range r.IntN(MaxCandidates + 1) {
			c.Candidates = append(c.Candidates, randText(r, MaxCandidate))
		}
	}
	c.Reason = randText(r, MaxCallReason)
	return c
}

// TestCallGoldenBytes pins the exact encoding: a change made to the encoder
// and decoder at once would still round-trip, but not match these bytes.
func TestCallGoldenBytes(t *testing.T) {
	c := Call{Kind: CallOffer, ID: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, Candidates: []string{"10.0.0.2:7448", "[::1]:9"}, Reason: "hi"}
	for i := range c.Key {
		c.Key[i] = byte(0xa0 + i)
	}
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	const want = "01" + "0102030405060708" +
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf" +
		"02" + "000d" + "31302e302e302e323a37343438" + "0007" + "5b3a3a315d3a39" +
		"0002" + "6869"
	if got := hex.EncodeToString(b); got != want {
		t.Fatalf("offer encodes as\n%s\nwant\n%s", got, want)
	}
	var back Call
	if err := back.Unmarshal(b); err != nil || !reflect.DeepEqual(back, c) {
		t.Fatalf("golden offer decodes as %+v, %v", back, err)
	}
	end, _ := Call{Kind: CallEnd, ID: c.ID}.Marshal()
	if got := hex.EncodeToString(end); got != "07"+"0102030405060708"+strings.Repeat("00", 32)+"00"+"0000" {
		t.Fatalf("end encodes as %s", got)
	}
}

func TestCallLimits(t *testing.T) {
	tooMany := Call{Kind: CallAnswer, Candidates: make([]string, MaxCandidates+1)}
	if _, err := tooMany.Marshal(); !errors.Is(err, ErrFieldTooLong) {
		t.Fatalf("%d candidates marshalled: %v", MaxCandidates+1, err)
	}
	long := Call{Kind: CallAnswer, Candidates: []string{strings.Repeat("1", MaxCandidate+1)}}
	if _, err := long.Marshal(); !errors.Is(err, ErrFieldTooLong) {
		t.Fatalf("a %d-byte candidate marshalled: %v", MaxCandidate+1, err)
	}
	if _, err := (Call{Kind: 0}).Marshal(); err == nil {
		t.Fatal("a call of kind 0 marshalled")
	}
	if _, err := (Call{Kind: CallKeepalive + 1}).Marshal(); err == nil {
		t.Fatal("a call of an unknown kind marshalled")
	}
	// A count byte that claims more candidates than allowed is refused
	// before anything is read for them.
	b, _ := Call{Kind: CallAnswer}.Marshal()
	b[1+8+32] = MaxCandidates + 1
	var c Call
	if err := c.Unmarshal(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("count %d decoded: %v", MaxCandidates+1, err)
	}
	if _, err := (Media{}).Marshal(); err == nil {
		t.Fatal("an empty media packet marshalled")
	}
	if _, err := (Media{Packet: make([]byte, MaxMediaPacket+1)}).Marshal(); !errors.Is(err, ErrFieldTooLong) {
		t.Fatal("an oversize media packet marshalled")
	}
	var m Media
	if err := m.Unmarshal(append([]byte{0x05, 0xdd}, make([]byte, MaxMediaPacket+1)...)); !errors.Is(err, ErrMalformed) {
		t.Fatal("an oversize media packet decoded")
	}
}

func TestCallFramesTravel(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var buf bytes.Buffer
	var sent []Payload
	for range 200 {
		var p Payload = randCall(r)
		if r.IntN(2) == 0 {
			p = Media{Packet: []byte(randText(r, 200) + "x")}
		}
		if err := Write(&buf, p); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, p)
	}
	for i, want := range sent {
		typ, b, err := ReadFrame(&buf)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		got, err := Decode(typ, b)
		if err != nil || !reflect.DeepEqual(normCall(got), normCall(want)) {
			t.Fatalf("frame %d: read %#v (%v), sent %#v", i, got, err, want)
		}
	}
}

// normCall makes an empty candidate list and a nil one compare equal.
func normCall(p Payload) Payload {
	if c, ok := p.(Call); ok && len(c.Candidates) == 0 {
		c.Candidates = nil
		return c
	}
	return p
}
