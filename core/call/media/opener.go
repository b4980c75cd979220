package media

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"golang.org/x/crypto/chacha20poly1305"
)

// Opener opens the packets the peer sends in one call.
//
// Ownership: Open belongs to one goroutine (the one reading the call's
// packets); the nonce scratch and the replay window are its alone. Stats
// may be called from any goroutine.
type Opener struct {
	aead cipher.AEAD
	tag  [4]byte

	nonce [chacha20poly1305.NonceSize]byte // salt || counter; owned by Open's goroutine
	win   window                           // owned by Open's goroutine

	opened, notMedia, version, otherCall, tooLarge, malformed, replay, auth atomic.Uint64
}

// Stats counts what an Opener has opened and refused, by outcome.
type Stats struct {
	Opened    uint64 // authentic and well formed
	NotMedia  uint64 // ErrNotMedia
	Version   uint64 // ErrVersion
	OtherCall uint64 // ErrOtherCall
	TooLarge  uint64 // ErrTooLarge
	Malformed uint64 // ErrMalformed
	Replay    uint64 // ErrReplay
	Auth      uint64 // ErrAuth
}

// newOpener makes an Opener for one direction's key.
func newOpener(k directionKey, tag [4]byte) (*Opener, error) {
	aead, err := chacha20poly1305.New(k.key[:])
	if err != nil {
		return nil, fmt.Errorf("media opener: %w", err)
	}
	o := &Opener{aead: aead, tag: tag}
	copy(o.nonce[:], k.salt[:])
	return o, nil
}

// Open authenticates and decodes packet b. The body is decrypted into
// dstBody[:0] (give it cap MaxBody and Open does not allocate), or in
// place in b when dstBody is nil (b's body is then overwritten, with zeros
// if it fails to authenticate); b is left unchanged otherwise. An audio
// packet's Payload aliases that buffer.
// dstBody must not overlap b.
//
// A refused packet returns one of ErrTooLarge, ErrNotMedia, ErrVersion,
// ErrOtherCall, ErrMalformed, ErrReplay or ErrAuth, unwrapped. Only a
// packet whose tag verified moves the replay window (even if its body then
// turns out malformed: its counter was spent by the peer).
func (o *Opener) Open(b, dstBody []byte) (Packet, error) {
	p, err := o.open(b, dstBody)
	o.count(err).Add(1)
	if err != nil {
		return Packet{}, err
	}
	return p, nil
}

// Stats returns the counts so far.
func (o *Opener) Stats() Stats {
	return Stats{
		Opened:    o.opened.Load(),
		NotMedia:  o.notMedia.Load(),
		Version:   o.version.Load(),
		OtherCall: o.otherCall.Load(),
		TooLarge:  o.tooLarge.Load(),
		Malformed: o.malformed.Load(),
		Replay:    o.replay.Load(),
		Auth:      o.auth.Load(),
	}
}

// Highest is the highest counter accepted so far (0 before any); call it
// from Open's goroutine.
func (o *Opener) Highest() uint64 { return o.win.highest }

func (o *Opener) open(b, dstBody []byte) (Packet, error) {
	switch {
	case len(b) > MaxPacket:
		return Packet{}, ErrTooLarge
	case !IsMedia(b):
		return Packet{}, ErrNotMedia
	case b[1]>>4 != Version:
		return Packet{}, ErrVersion
	case [4]byte(b[2:6]) != o.tag:
		return Packet{}, ErrOtherCall
	case len(b) < MinPacket:
		return Packet{}, ErrMalformed
	}
	k := Kind(b[1] & 0x0f)
	c := binary.BigEndian.Uint64(b[6:HeaderSize])
	if c == 0 || c > MaxCounter || !k.bodyOK(len(b)-HeaderSize-Overhead) {
		return Packet{}, ErrMalformed
	}
	if !o.win.fresh(c) {
		return Packet{}, ErrReplay
	}
	binary.BigEndian.PutUint64(o.nonce[saltSize:], c)
	dst := dstBody[:0]
	if dstBody == nil {
		dst = b[HeaderSize:HeaderSize]
	}
	body, err := o.aead.Open(dst, o.nonce[:], b[HeaderSize:], b[:HeaderSize])
	if err != nil {
		return Packet{}, ErrAuth
	}
	o.win.mark(c)
	p := Packet{Kind: k, Counter: c}
	switch k {
	case KindAudio:
		p.Audio, err = parseAudio(body)
	case KindReport:
		p.Report, err = parseReport(body)
	case KindPing:
		p.Ping, err = parsePing(body)
	case KindPong:
		p.Pong, err = parsePong(body)
	}
	if err != nil {
		return Packet{}, ErrMalformed
	}
	return p, nil
}

// count is the counter for Open's outcome.
func (o *Opener) count(err error) *atomic.Uint64 {
	switch err {
	case nil:
		return &o.opened
	case ErrNotMedia:
		return &o.notMedia
	case ErrVersion:
		return &o.version
	case ErrOtherCall:
		return &o.otherCall
	case ErrTooLarge:
		return &o.tooLarge
	case ErrReplay:
		return &o.replay
	case ErrAuth:
		return &o.auth
	}
	return &o.malformed
}
