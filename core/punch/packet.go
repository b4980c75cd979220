package punch

import (
	"crypto/hmac"
	"crypto/sha256"
)

// Packet layout (PacketSize bytes):
//
//	0..3   magic: 0xd1 'p' 'n' '1' (never STUN, DTLS or RTP: see stun.IsSTUN)
//	4      flags: flagDone when the sender has finished punching
//	5..20  the sender's nonce, fresh for each punch
//	21..36 echo: the last nonce the sender heard from its peer, zero if none
//	37..68 HMAC-SHA256 under the shared secret of macDomain and bytes 0..36
const (
	PacketSize = 69
	nonceSize  = 16
	macAt      = 37
	flagDone   = 0x01
)

var magic = [4]byte{0xd1, 'p', 'n', '1'}

const macDomain = "tincan punch v1\x00"

// nonce identifies one side of one punch.
type nonce [nonceSize]byte

// packet is a decoded probe (its MAC is checked separately).
type packet struct {
	done  bool
	nonce nonce
	echo  nonce
}

// IsProbe reports whether b is framed as a punch probe: the right size and
// magic. It is what a demultiplexer asks; it checks no MAC.
func IsProbe(b []byte) bool {
	return len(b) == PacketSize && [4]byte(b[:4]) == magic
}

// encode builds a probe and signs it with secret.
func encode(secret []byte, p packet) []byte {
	b := make([]byte, macAt, PacketSize)
	copy(b, magic[:])
	if p.done {
		b[4] = flagDone
	}
	copy(b[5:], p.nonce[:])
	copy(b[5+nonceSize:], p.echo[:])
	return append(b, mac(secret, b)...)
}

// decode reads a probe whose MAC under secret is good; ok is false for
// anything else, including unknown flags.
func decode(secret, b []byte) (p packet, ok bool) {
	if !IsProbe(b) || b[4]&^flagDone != 0 {
		return packet{}, false
	}
	if !hmac.Equal(b[macAt:], mac(secret, b[:macAt])) {
		return packet{}, false
	}
	p.done = b[4]&flagDone != 0
	copy(p.nonce[:], b[5:])
	copy(p.echo[:], b[5+nonceSize:])
	return p, true
}

func mac(secret, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(macDomain))
	h.Write(body)
	return h.Sum(nil)
}
