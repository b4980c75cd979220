package overlay

import (
	"fmt"
	"net/netip"
)

// payloadVersion leads every sealed payload.
const payloadVersion = 1

// A hello or reply may end with an optional relays section:
//
//	count u8 (1 to MaxRelays) | address × count
//
// the relays (reachable nodes that splice streams) the sender can be
// reached through. It is left out, not sent empty, when there are none, so
// a payload from a node without relays reads as before.

// hello is the sealed body of a set-up request, by flood or by connect.
type hello struct {
	SecretID   SecretID    // the receiver's secret ID, as the sender knows it
	From       Fingerprint // the sender's identity
	ReplyKey   [32]byte    // the answer is sealed with this AES-256 key
	GUID       GUID        // the sender's node
	Nonce      Nonce       // must equal the outer message's nonce
	Time       int64       // must equal the outer message's time
	Candidates []netip.AddrPort
	Relays     []netip.AddrPort // optional trailing section; nil when absent
}

// reply is the sealed body of an answer and of a rendezvous record.
type reply struct {
	GUID       GUID
	Time       int64 // Unix milliseconds
	Candidates []netip.AddrPort
	Relays     []netip.AddrPort // optional trailing section; nil when absent
}

func encodeHello(h *hello) ([]byte, error) {
	e := &encoder{b: make([]byte, 0, 160)}
	e.u8(payloadVersion)
	e.raw(h.SecretID[:])
	e.raw(h.From[:])
	e.raw(h.ReplyKey[:])
	e.guid(h.GUID)
	e.nonce(h.Nonce)
	e.time(h.Time)
	e.candidates(h.Candidates)
	e.relays(h.Relays)
	if e.err != nil {
		return nil, fmt.Errorf("hello: %w", e.err)
	}
	return e.b, nil
}

func decodeHello(b []byte) (*hello, error) {
	d := &decoder{b: b}
	if v := d.u8("version"); d.err == nil && v != payloadVersion {
		d.fail("hello version %d", v)
	}
	h := &hello{}
	d.fixed("secret id", h.SecretID[:])
	d.fixed("from", h.From[:])
	d.fixed("reply key", h.ReplyKey[:])
	h.GUID = d.guid("guid")
	h.Nonce = d.nonce()
	h.Time = d.time("time")
	h.Candidates = d.candidates()
	h.Relays = d.relays()
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("hello: %w", err)
	}
	return h, nil
}

func encodeReply(r *reply) ([]byte, error) {
	e := &encoder{b: make([]byte, 0, 64)}
	e.u8(payloadVersion)
	e.guid(r.GUID)
	e.time(r.Time)
	e.candidates(r.Candidates)
	e.relays(r.Relays)
	if e.err != nil {
		return nil, fmt.Errorf("reply: %w", e.err)
	}
	return e.b, nil
}

func decodeReply(b []byte) (*reply, error) {
	d := &decoder{b: b}
	if v := d.u8("version"); d.err == nil && v != payloadVersion {
		d.fail("reply version %d", v)
	}
	r := &reply{GUID: d.guid("guid"), Time: d.time("time"), Candidates: d.candidates()}
	r.Relays = d.relays()
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	return r, nil
}
