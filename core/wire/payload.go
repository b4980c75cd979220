package wire

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Field limits, in bytes of UTF-8.
const (
	MaxName   = 64       // Hello.Name
	MaxBody   = 16 << 10 // Msg.Body
	MaxReason = 256      // Bye.Reason
	MaxCard   = 4096     // Card.Card (contact.MaxCardLen)
)

// Payload is the decoded content of one frame.
type Payload interface {
	// Type is the frame type that carries this payload.
	Type() Type
	// Marshal encodes the payload, refusing fields over their limits.
	Marshal() ([]byte, error)
}

// Hello is the first frame each side sends after the TLS handshake.
type Hello struct {
	Version uint8
	Name    string
}

// Msg carries one chat message.
type Msg struct {
	ID     [16]byte
	SentAt int64 // sender's clock, Unix nanoseconds
	Body   string
}

// Ack says the receiver committed the message with this ID.
type Ack struct{ ID [16]byte }

// Ping asks the peer to answer with a Pong carrying the same nonce.
type Ping struct{ Nonce uint64 }

// Pong answers a Ping.
type Pong struct{ Nonce uint64 }

// Bye announces a clean close and says why.
type Bye struct{ Reason string }

// Card carries the sender's new contact card after a rotation; the receiver
// acknowledges it with an Ack of the same ID once it has stored the card.
type Card struct {
	ID   [16]byte
	Card string
}

// Type returns TypeHello.
func (Hello) Type() Type { return TypeHello }

// Type returns TypeMsg.
func (Msg) Type() Type { return TypeMsg }

// Type returns TypeAck.
func (Ack) Type() Type { return TypeAck }

// Type returns TypePing.
func (Ping) Type() Type { return TypePing }

// Type returns TypePong.
func (Pong) Type() Type { return TypePong }

// Type returns TypeBye.
func (Bye) Type() Type { return TypeBye }

// Type returns TypeCard.
func (Card) Type() Type { return TypeCard }

// Marshal encodes h: version u8, name (u16 length + bytes).
func (h Hello) Marshal() ([]byte, error) {
	if err := checkText("hello name", h.Name, MaxName); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 3+len(h.Name))
	b = append(b, h.Version)
	return appendText(b, h.Name), nil
}

// Unmarshal decodes a Hello payload strictly.
func (h *Hello) Unmarshal(b []byte) error {
	d := decoder{b: b}
	v := Hello{Version: d.u8("version"), Name: d.text("name", MaxName)}
	if err := d.end("hello"); err != nil {
		return err
	}
	*h = v
	return nil
}

// Marshal encodes m: id (16 bytes), sent-at i64, body (u16 length + bytes).
func (m Msg) Marshal() ([]byte, error) {
	if err := checkText("message body", m.Body, MaxBody); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 26+len(m.Body))
	b = append(b, m.ID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(m.SentAt))
	return appendText(b, m.Body), nil
}

// Unmarshal decodes a Msg payload strictly.
func (m *Msg) Unmarshal(b []byte) error {
	d := decoder{b: b}
	v := Msg{ID: d.id("id"), SentAt: int64(d.u64("sent at")), Body: d.text("body", MaxBody)}
	if err := d.end("msg"); err != nil {
		return err
	}
	*m = v
	return nil
}

// Marshal encodes a: id (16 bytes).
func (a Ack) Marshal() ([]byte, error) { return append([]byte(nil), a.ID[:]...), nil }

// Unmarshal decodes an Ack payload strictly.
func (a *Ack) Unmarshal(b []byte) error {
	d := decoder{b: b}
	v := Ack{ID: d.id("id")}
	if err := d.end("ack"); err != nil {
		return err
	}
	*a = v
	return nil
}

// Marshal encodes p: nonce u64.
func (p Ping) Marshal() ([]byte, error) { return binary.BigEndian.AppendUint64(nil, p.Nonce), nil }

// Unmarshal decodes a Ping payload strictly.
func (p *Ping) Unmarshal(b []byte) error {
	d := decoder{b: b}
	v := Ping{Nonce: d.u64("nonce")}
	if err := d.end("ping"); err != nil {
		return err
	}
	*p = v
	return nil
}

// Marshal encodes p: nonce u64.
func (p Pong) Marshal() ([]byte, error) { return binary.BigEndian.AppendUint64(nil, p.Nonce), nil }

// Unmarshal decodes a Pong payload strictly.
func (p *Pong) Unmarshal(b []byte) error {
	d := decoder{b: b}
	v := Pong{Nonce: d.u64("nonce")}
	if err := d.end("pong"); err != nil {
		return err
	}
	*p = v
	return nil
}

// Marshal encodes b: reason (u16 length + bytes).
func (b Bye) Marshal() ([]byte, error) {
	if err := checkText("bye reason", b.Reason, MaxReason); err != nil {
		return nil, err
	}
	return appendText(make([]byte, 0, 2+len(b.Reason)), b.Reason), nil
}

// Unmarshal decodes a Bye payload strictly.
func (b *Bye) Unmarshal(p []byte) error {
	d := decoder{b: p}
	v := Bye{Reason: d.text("reason", MaxReason)}
	if err := d.end("bye"); err != nil {
		return err
	}
	*b = v
	return nil
}

// Marshal encodes c: id (16 bytes), card (u16 length + bytes).
func (c Card) Marshal() ([]byte, error) {
	if err := checkText("card", c.Card, MaxCard); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 18+len(c.Card))
	b = append(b, c.ID[:]...)
	return appendText(b, c.Card), nil
}

// Unmarshal decodes a Card payload strictly.
func (c *Card) Unmarshal(b []byte) error {
	d := decoder{b: b}
	v := Card{ID: d.id("id"), Card: d.text("card", MaxCard)}
	if err := d.end("card"); err != nil {
		return err
	}
	*c = v
	return nil
}

// Decode decodes the payload of a frame of type t.
func Decode(t Type, b []byte) (Payload, error) {
	var (
		p   Payload
		err error
	)
	switch t {
	case TypeHello:
		var v Hello
		err = v.Unmarshal(b)
		p = v
	case TypeMsg:
		var v Msg
		err = v.Unmarshal(b)
		p = v
	case TypeAck:
		var v Ack
		err = v.Unmarshal(b)
		p = v
	case TypePing:
		var v Ping
		err = v.Unmarshal(b)
		p = v
	case TypePong:
		var v Pong
		err = v.Unmarshal(b)
		p = v
	case TypeBye:
		var v Bye
		err = v.Unmarshal(b)
		p = v
	case TypeCard:
		var v Card
		err = v.Unmarshal(b)
		p = v
	case TypeCall:
		var v Call
		err = v.Unmarshal(b)
		p = v
	case TypeMedia:
		var v Media
		err = v.Unmarshal(b)
		p = v
	default:
		return nil, fmt.Errorf("decode: %w: %d", ErrUnknownType, uint8(t))
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Write marshals p and writes it as one frame.
func Write(w io.Writer, p Payload) error {
	b, err := p.Marshal()
	if err != nil {
		return fmt.Errorf("write %s: %w", p.Type(), err)
	}
	return WriteFrame(w, p.Type(), b)
}
