package media

import "encoding/binary"

// Packet layout (MinPacket..MaxPacket bytes, integers big-endian):
//
//	0      magic 0xd2: never STUN (top bits 00), a punch probe (0xd1), DTLS
//	       (20..63) or RTP/RTCP (128..191); see RFC 7983
//	1      version (high nibble, 1) | kind (low nibble: 1 audio, 2 report,
//	       3 ping, 4 pong)
//	2..5   call tag: the first 4 bytes of the call ID
//	6..13  counter: per direction, 1, 2, 3, ... up to MaxCounter
//	14..   body sealed with ChaCha20-Poly1305, bytes 0..13 as associated
//	       data, nonce = the direction's 4-byte salt || counter; then the
//	       16-byte tag
//
// Bodies (before sealing):
//
//	audio   0 seq u16, 2 ts u32 (samples), 6 flags u8, 7.. Opus (1..MaxOpus)
//	report  0 highest seq u16, 2 lost u32, 6 fraction lost u8,
//	        7 concealed u8, 8 jitter µs u32, 12 target ms u16,
//	        14 depth ms u16, 16 sent µs u64, 24 echo µs u64, 32 held µs u32
//	ping    0 sent µs u64
//	pong    0 echo µs u64, 8 held µs u32
const (
	// Magic is a media packet's first byte.
	Magic = 0xd2
	// Version is the packet version this package seals and opens.
	Version = 1

	// HeaderSize is the plaintext header's size.
	HeaderSize = 14
	// Overhead is the AEAD tag's size.
	Overhead = 16
	// MaxPacket is the largest packet sealed or opened; larger are refused.
	MaxPacket = 1400
	// MaxOpus is the largest Opus payload an audio packet carries (RFC 6716).
	MaxOpus = 1275
	// MaxBody is the largest body, the buffer Open needs to decrypt into.
	MaxBody = audioFixed + MaxOpus
	// MinPacket is the smallest well-formed packet (a ping, or one byte of Opus).
	MinPacket = HeaderSize + pingSize + Overhead
	// MaxCounter is the last counter a Sealer uses (2^48: 178,000 years at
	// 50 packets a second); after it, ErrExhausted.
	MaxCounter = 1 << 48

	audioFixed = 7
	reportSize = 36
	pingSize   = 8
	pongSize   = 12
)

// Kind is what a packet carries.
type Kind uint8

// The kinds of packet.
const (
	KindAudio  Kind = 1 // an Opus frame
	KindReport Kind = 2 // a receiver report with an RTT echo
	KindPing   Kind = 3 // a path keep-alive asking for a Pong
	KindPong   Kind = 4 // the answer to a Ping
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindAudio:
		return "audio"
	case KindReport:
		return "report"
	case KindPing:
		return "ping"
	case KindPong:
		return "pong"
	}
	return "unknown"
}

// bodyOK reports whether n body bytes fit kind k.
func (k Kind) bodyOK(n int) bool {
	switch k {
	case KindAudio:
		return n > audioFixed && n <= MaxBody
	case KindReport:
		return n == reportSize
	case KindPing:
		return n == pingSize
	case KindPong:
		return n == pongSize
	}
	return false
}

// Packet is an opened packet: its kind, counter and the body of its kind
// (the other bodies are zero).
type Packet struct {
	Kind    Kind
	Counter uint64
	Audio   Audio  // KindAudio; Payload aliases the buffer Open decrypted into
	Report  Report // KindReport
	Ping    Ping   // KindPing
	Pong    Pong   // KindPong
}

// IsMedia reports whether b is framed as a media packet: the magic byte and
// at least a header. It is what a demultiplexer asks; it checks nothing
// else, so Open can count what is wrong with the rest.
func IsMedia(b []byte) bool {
	return len(b) >= HeaderSize && b[0] == Magic
}

// CallTag returns the call tag of a packet IsMedia accepts, for routing
// packets to one of several calls before any crypto.
func CallTag(b []byte) (tag [4]byte, ok bool) {
	if !IsMedia(b) {
		return tag, false
	}
	return [4]byte(b[2:6]), true
}

// TagOf is the call tag of a call ID.
func TagOf(callID [8]byte) [4]byte {
	return [4]byte(callID[:4])
}

// putHeader writes the header into b[:HeaderSize].
func putHeader(b []byte, k Kind, tag [4]byte, counter uint64) {
	b[0] = Magic
	b[1] = Version<<4 | byte(k)
	copy(b[2:6], tag[:])
	binary.BigEndian.PutUint64(b[6:HeaderSize], counter)
}
