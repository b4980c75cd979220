package media

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

// Sealer seals the packets one side sends in one call. It is safe for
// concurrent use (the audio path and the report timer may share it): a
// mutex orders the counter, so no two packets get the same nonce, and
// packets may leave in a different order than sealed, which the peer's
// replay window absorbs.
type Sealer struct {
	aead cipher.AEAD
	tag  [4]byte

	mu    sync.Mutex
	last  uint64                           // last counter used; guarded by mu
	nonce [chacha20poly1305.NonceSize]byte // salt || counter; guarded by mu
}

// newSealer makes a Sealer for one direction's key.
func newSealer(k directionKey, tag [4]byte) (*Sealer, error) {
	aead, err := chacha20poly1305.New(k.key[:])
	if err != nil {
		return nil, fmt.Errorf("media sealer: %w", err)
	}
	s := &Sealer{aead: aead, tag: tag}
	copy(s.nonce[:], k.salt[:])
	return s, nil
}

// AudioSize is the size of a sealed audio packet with n bytes of Opus.
func AudioSize(n int) int { return HeaderSize + audioFixed + n + Overhead }

// ReportSize is the size of a sealed report packet.
const ReportSize = HeaderSize + reportSize + Overhead

// PingSize is the size of a sealed ping packet.
const PingSize = HeaderSize + pingSize + Overhead

// PongSize is the size of a sealed pong packet.
const PongSize = HeaderSize + pongSize + Overhead

// SealAudio appends a sealed audio packet to dst and returns the extended
// slice. With cap(dst)-len(dst) >= AudioSize(len(opus)) it does not
// allocate. opus must be 1..MaxOpus bytes and flags known.
func (s *Sealer) SealAudio(dst []byte, seq uint16, ts uint32, flags uint8, opus []byte) ([]byte, error) {
	if err := checkAudio(flags, len(opus)); err != nil {
		return nil, fmt.Errorf("media: seal audio: %w", err)
	}
	ret, pkt := grow(dst, AudioSize(len(opus)))
	n := audioFixed + len(opus)
	putAudio(pkt[HeaderSize:HeaderSize+n], seq, ts, flags, opus)
	return s.seal(ret, pkt, KindAudio, n)
}

// SealReport appends a sealed report packet to dst (ReportSize bytes) and
// returns the extended slice.
func (s *Sealer) SealReport(dst []byte, r Report) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("media: seal report: %w", err)
	}
	ret, pkt := grow(dst, ReportSize)
	r.put(pkt[HeaderSize : HeaderSize+reportSize])
	return s.seal(ret, pkt, KindReport, reportSize)
}

// SealPing appends a sealed ping packet to dst (PingSize bytes) and returns
// the extended slice.
func (s *Sealer) SealPing(dst []byte, p Ping) ([]byte, error) {
	if p.SentMicros == 0 {
		return nil, fmt.Errorf("media: seal ping: %w", errSent)
	}
	ret, pkt := grow(dst, PingSize)
	binary.BigEndian.PutUint64(pkt[HeaderSize:], p.SentMicros)
	return s.seal(ret, pkt, KindPing, pingSize)
}

// SealPong appends a sealed pong packet to dst (PongSize bytes) and returns
// the extended slice.
func (s *Sealer) SealPong(dst []byte, p Pong) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("media: seal pong: %w", err)
	}
	ret, pkt := grow(dst, PongSize)
	p.put(pkt[HeaderSize : HeaderSize+pongSize])
	return s.seal(ret, pkt, KindPong, pongSize)
}

// Sent is how many packets the Sealer has sealed (its last counter).
func (s *Sealer) Sent() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// seal takes the next counter, writes the header into pkt and seals the n
// body bytes after it in place. ret is returned on success.
func (s *Sealer) seal(ret, pkt []byte, k Kind, n int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last >= MaxCounter {
		clear(pkt) // no plaintext left behind in the caller's buffer
		return nil, fmt.Errorf("media: seal %s: %w", k, ErrExhausted)
	}
	s.last++
	putHeader(pkt, k, s.tag, s.last)
	binary.BigEndian.PutUint64(s.nonce[saltSize:], s.last)
	body := pkt[HeaderSize : HeaderSize+n]
	s.aead.Seal(body[:0], s.nonce[:], body, pkt[:HeaderSize])
	return ret, nil
}

// grow extends in by n bytes, in place when it has the capacity, and
// returns the whole and the new part.
func grow(in []byte, n int) (whole, tail []byte) {
	total := len(in) + n
	if cap(in) >= total {
		whole = in[:total]
	} else {
		whole = make([]byte, total)
		copy(whole, in)
	}
	return whole, whole[len(in):]
}
