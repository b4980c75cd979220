package wire

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"tincan/core/contact"
)

// randText returns valid UTF-8 of at most max bytes, mixing 1- to 4-byte runes.
func randText(r *rand.Rand, max int) string {
	runes := []rune{'a', 'Z', '0', ' ', 'é', 'ß', '€', '中', '😀', '\n', 0}
	var b strings.Builder
	limit := r.IntN(max + 1)
	for {
		c := runes[r.IntN(len(runes))]
		if b.Len()+utf8.RuneLen(c) > limit {
			return b.String()
		}
		b.WriteRune(c)
	}
}

func randPayload(r *rand.Rand) Payload {
	var id [16]byte
	for i := range id {
		id[i] = byte(r.Uint32())
	}
	switch r.IntN(9) {
	case 7:
		return randCall(r)
	case 8:
		pkt := make([]byte, 1+r.IntN(MaxMediaPacket))
		for i := range pkt {
			pkt[i] = byte(r.Uint32())
		}
		return Media{Packet: pkt}
	case 0:
		return Hello{Version: uint8(r.Uint32()), Name: randText(r, MaxName)}
	case 1:
		body := randText(r, 64)
		if r.IntN(8) == 0 {
			body = randText(r, MaxBody)
		}
		return Msg{ID: id, SentAt: int64(r.Uint64()), Body: body}
	case 2:
		return Ack{ID: id}
	case 3:
		return Ping{Nonce: r.Uint64()}
	case 4:
		return Pong{Nonce: r.Uint64()}
	case 5:
		return Card{ID: id, Card: randText(r, MaxCard)}
	default:
		return Bye{Reason: randText(r, MaxReason)}
	}
}

func TestPayloadRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		p := randPayload(r)
		b, err := p.Marshal()
		if err != nil {
			t.Fatalf("marshal %#v: %v", p, err)
		}
		got, err := Decode(p.Type(), b)
		if err != nil {
			t.Fatalf("decode %#v: %v", p, err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Fatalf("round trip: got %#v, want %#v", got, p)
		}
		// Every strict prefix and every extension must be refused.
		if len(b) > 0 {
			if _, err := Decode(p.Type(), b[:r.IntN(len(b))]); !errors.Is(err, ErrMalformed) {
				t.Fatalf("truncated %T accepted: %v", p, err)
			}
		}
		if _, err := Decode(p.Type(), append(b, 0)); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%T with a trailing byte accepted: %v", p, err)
		}
	}
}

func TestFrameOfPayloadRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	in := []Payload{Hello{Version: Version, Name: "alice"}, Msg{Body: "hi"}, Ack{}, Ping{Nonce: 7}, Pong{Nonce: 7}, Bye{Reason: "done"}, Card{ID: [16]byte{7}, Card: "tincan:1:AEBA"}}
	for _, p := range in {
		if err := Write(&buf, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range in {
		typ, b, err := ReadFrame(&buf)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(typ, b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %#v, want %#v", got, want)
		}
	}
}

func TestLargestMsgFitsInAFrame(t *testing.T) {
	b, err := Msg{Body: strings.Repeat("€", MaxBody/3) + "a"}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxFrame {
		t.Fatalf("largest message is %d bytes, frame limit %d", len(b), MaxFrame)
	}
}

func TestLargestCardFitsInAFrameAndMatchesContact(t *testing.T) {
	if MaxCard != contact.MaxCardLen {
		t.Fatalf("wire.MaxCard = %d, contact.MaxCardLen = %d: a card that parses must fit", MaxCard, contact.MaxCardLen)
	}
	b, err := Card{Card: strings.Repeat("A", MaxCard)}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxFrame {
		t.Fatalf("largest card is %d bytes, frame limit %d", len(b), MaxFrame)
	}
}

func TestFieldLimits(t *testing.T) {
	ok := []Payload{
		Hello{Name: strings.Repeat("n", MaxName)},
		Msg{Body: strings.Repeat("b", MaxBody)},
		Bye{Reason: strings.Repeat("r", MaxReason)},
		Card{Card: strings.Repeat("c", MaxCard)},
	}
	for _, p := range ok {
		if _, err := p.Marshal(); err != nil {
			t.Errorf("%T at its limit refused: %v", p, err)
		}
	}
	long := []Payload{
		Hello{Name: strings.Repeat("n", MaxName+1)},
		Msg{Body: strings.Repeat("b", MaxBody+1)},
		Bye{Reason: strings.Repeat("r", MaxReason+1)},
		Card{Card: strings.Repeat("c", MaxCard+1)},
	}
	for _, p := range long {
		if _, err := p.Marshal(); !errors.Is(err, ErrFieldTooLong) {
			t.Errorf("%T over its limit: got %v, want ErrFieldTooLong", p, err)
		}
	}
	bad := []Payload{Hello{Name: "a\xffb"}, Msg{Body: "\xc3"}, Bye{Reason: "\xed\xa0\x80"}, Card{Card: "tincan:\xff"}}
	for _, p := range bad {
		if _, err := p.Marshal(); !errors.Is(err, ErrInvalidUTF8) {
			t.Errorf("%T with bad UTF-8: got %v, want ErrInvalidUTF8", p, err)
		}
	}
}

func TestDecodeRejectsHostileFields(t *testing.T) {
	over := func(prefix []byte, n int) []byte {
		b := append(append([]byte(nil), prefix...), byte(n>>8), byte(n))
		return append(b, bytes.Repeat([]byte("x"), n)...)
	}
	msgHead := make([]byte, 24)
	cases := []struct {
		name string
		t    Type
		b    []byte
		want error
	}{
		{"long name", TypeHello, over([]byte{1}, MaxName+1), ErrFieldTooLong},
		{"long body", TypeMsg, over(msgHead, MaxBody+1), ErrFieldTooLong},
		{"long reason", TypeBye, over(nil, MaxReason+1), ErrFieldTooLong},
		{"long card", TypeCard, over(make([]byte, 16), MaxCard+1), ErrFieldTooLong},
		{"card bad utf8", TypeCard, append(make([]byte, 16), 0, 1, 0xff), ErrInvalidUTF8},
		{"card without id", TypeCard, []byte{0, 0}, ErrMalformed},
		{"name bad utf8", TypeHello, []byte{1, 0, 1, 0xff}, ErrInvalidUTF8},
		{"body bad utf8", TypeMsg, append(append([]byte(nil), msgHead...), 0, 2, 0xc3, 0x28), ErrInvalidUTF8},
		{"length past end", TypeBye, []byte{0, 5, 'a'}, ErrMalformed},
		{"short ack", TypeAck, make([]byte, 15), ErrMalformed},
		{"long ping", TypePing, make([]byte, 9), ErrMalformed},
		{"empty pong", TypePong, nil, ErrMalformed},
		{"unknown type", TypeMedia + 1, nil, ErrUnknownType},
	}
	for _, c := range cases {
		p, err := Decode(c.t, c.b)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
		if p != nil {
			t.Errorf("%s: got payload %#v with an error", c.name, p)
		}
		if c.want != ErrUnknownType && !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: error %v does not match ErrMalformed", c.name, err)
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 12; i++ {
		p := randPayload(r)
		b, _ := p.Marshal()
		f.Add(uint8(p.Type()), b)
	}
	f.Add(uint8(TypeMsg), []byte{})
	f.Fuzz(func(t *testing.T, typ uint8, data []byte) {
		p, err := Decode(Type(typ), data)
		if err != nil {
			if p != nil {
				t.Fatalf("payload %#v returned with error %v", p, err)
			}
			return
		}
		if p.Type() != Type(typ) {
			t.Fatalf("decoded %T for type %d", p, typ)
		}
		b, err := p.Marshal()
		if err != nil {
			t.Fatalf("re-marshal an accepted %T: %v", p, err)
		}
		if !bytes.Equal(b, data) {
			t.Fatalf("encoding is not canonical: % x decoded and re-encoded as % x", data, b)
		}
	})
}
