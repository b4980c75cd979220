package wire

import (
	"encoding/binary"
	"fmt"
)

// Call signalling limits.
const (
	MaxCandidates  = 8   // UDP candidates in an offer or answer
	MaxCandidate   = 64  // bytes of one candidate ("ip:port")
	MaxCallReason  = 128 // Call.Reason
	MaxMediaPacket = 1500
)

// CallKind says what a Call frame signals.
type CallKind uint8

// Call signals. The zero value is not valid.
const (
	CallOffer     CallKind = 1 // caller: a new call, with its key and UDP candidates
	CallRinging   CallKind = 2 // callee: the offer arrived and the user is being asked
	CallAnswer    CallKind = 3 // callee: accepted, with its UDP candidates
	CallDecline   CallKind = 4 // callee: refused
	CallBusy      CallKind = 5 // callee: already in another call
	CallCancel    CallKind = 6 // caller: gave up before an answer (or no answer)
	CallEnd       CallKind = 7 // either side: hang up an established call
	CallKeepalive CallKind = 8 // either side: the call is still on (every few seconds)
)

// String names the kind for logs.
func (k CallKind) String() string {
	switch k {
	case CallOffer:
		return "offer"
	case CallRinging:
		return "ringing"
	case CallAnswer:
		return "answer"
	case CallDecline:
		return "decline"
	case CallBusy:
		return "busy"
	case CallCancel:
		return "cancel"
	case CallEnd:
		return "end"
	case CallKeepalive:
		return "keepalive"
	}
	return fmt.Sprintf("call-kind(%d)", uint8(k))
}

// Call is one call-signalling frame, sent over the contact's pinned TLS
// session. Key is set only in an offer: the fresh random call key from
// which both directions' media keys are derived.
type Call struct {
	Kind       CallKind
	ID         [8]byte // random, chosen by the caller
	Key        [32]byte
	Candidates []string // offer and answer: the sender's UDP addresses
	Reason     string   // end, decline: why, in words
}

// Media carries one sealed media packet over the TLS session, for calls
// with no UDP path (a relayed session, or UDP blocked). It is the same
// sealed packet that would have gone over UDP.
type Media struct{ Packet []byte }

// Type returns TypeCall.
func (Call) Type() Type { return TypeCall }

// Type returns TypeMedia.
func (Media) Type() Type { return TypeMedia }

// Marshal encodes c: kind u8, id (8), key (32), candidate count u8 and each
// candidate (u16 length + bytes), reason (u16 length + bytes).
func (c Call) Marshal() ([]byte, error) {
	if c.Kind < CallOffer || c.Kind > CallKeepalive {
		return nil, fmt.Errorf("call: %w: kind %d", ErrMalformed, c.Kind)
	}
	if len(c.Candidates) > MaxCandidates {
		return nil, fmt.Errorf("call: %d candidates, at most %d: %w", len(c.Candidates), MaxCandidates, ErrFieldTooLong)
	}
	for _, a := range c.Candidates {
		if err := checkText("call candidate", a, MaxCandidate); err != nil {
			return nil, err
		}
	}
	if err := checkText("call reason", c.Reason, MaxCallReason); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 44+len(c.Reason)+len(c.Candidates)*24)
	b = append(b, byte(c.Kind))
	b = append(b, c.ID[:]...)
	b = append(b, c.Key[:]...)
	b = append(b, byte(len(c.Candidates)))
	for _, a := range c.Candidates {
		b = appendText(b, a)
	}
	return appendText(b, c.Reason), nil
}

// Unmarshal decodes a Call payload strictly.
func (c *Call) Unmarshal(b []byte) error {
	d := decoder{b: b}
	v := Call{Kind: CallKind(d.u8("kind"))}
	copy(v.ID[:], d.take("id", 8))
	copy(v.Key[:], d.take("key", 32))
	n := int(d.u8("candidate count"))
	if d.err == nil && (v.Kind < CallOffer || v.Kind > CallKeepalive) {
		d.fail("kind %d", v.Kind)
	}
	if n > MaxCandidates {
		d.fail("%d candidates, at most %d: %w", n, MaxCandidates, ErrFieldTooLong)
	}
	for i := 0; i < n && d.err == nil; i++ {
		v.Candidates = append(v.Candidates, d.text("candidate", MaxCandidate))
	}
	v.Reason = d.text("reason", MaxCallReason)
	if err := d.end("call"); err != nil {
		return err
	}
	*c = v
	return nil
}

// Marshal encodes m: packet length u16 (1 to MaxMediaPacket), packet bytes.
func (m Media) Marshal() ([]byte, error) {
	if len(m.Packet) == 0 || len(m.Packet) > MaxMediaPacket {
		return nil, fmt.Errorf("media packet of %d bytes, 1 to %d: %w", len(m.Packet), MaxMediaPacket, ErrFieldTooLong)
	}
	b := make([]byte, 0, 2+len(m.Packet))
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.Packet)))
	return append(b, m.Packet...), nil
}

// Unmarshal decodes a Media payload strictly; it keeps a copy of the packet.
func (m *Media) Unmarshal(b []byte) error {
	d := decoder{b: b}
	n := 0
	if v := d.take("length", 2); v != nil {
		n = int(binary.BigEndian.Uint16(v))
	}
	if d.err == nil && (n == 0 || n > MaxMediaPacket) {
		d.fail("media packet of %d bytes, 1 to %d: %w", n, MaxMediaPacket, ErrFieldTooLong)
	}
	pkt := d.take("packet", n)
	if err := d.end("media"); err != nil {
		return err
	}
	m.Packet = append([]byte(nil), pkt...)
	return nil
}
