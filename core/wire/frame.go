package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Type identifies a frame's payload.
type Type uint8

// Frame types. The zero value is not a valid type.
const (
	TypeHello Type = 1 // first frame of each side: Hello
	TypeMsg   Type = 2 // a chat message: Msg
	TypeAck   Type = 3 // the receiver committed a message: Ack
	TypePing  Type = 4 // keep-alive probe: Ping
	TypePong  Type = 5 // keep-alive answer: Pong
	TypeBye   Type = 6 // clean close: Bye
	TypeCard  Type = 7 // the sender's new contact card after a rotation: Card
	TypeCall  Type = 8 // call signalling: Call
	TypeMedia Type = 9 // a sealed call media packet when no UDP path exists: Media
)

// HeaderSize is the length of a frame header: version, type, payload length.
const HeaderSize = 6

// Errors a frame reader returns for bytes that are not a valid frame.
var (
	ErrVersion     = errors.New("wire: unsupported protocol version")
	ErrTooLarge    = errors.New("wire: frame too large")
	ErrUnknownType = errors.New("wire: unknown frame type")
)

// Known reports whether t is one of the defined frame types.
func (t Type) Known() bool { return t >= TypeHello && t <= TypeMedia }

// String names the frame type for logs.
func (t Type) String() string {
	switch t {
	case TypeHello:
		return "hello"
	case TypeMsg:
		return "msg"
	case TypeAck:
		return "ack"
	case TypePing:
		return "ping"
	case TypePong:
		return "pong"
	case TypeBye:
		return "bye"
	case TypeCard:
		return "card"
	case TypeCall:
		return "call"
	case TypeMedia:
		return "media"
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// WriteFrame writes one frame (header and payload) with a single Write call.
func WriteFrame(w io.Writer, t Type, payload []byte) error {
	if !t.Known() {
		return fmt.Errorf("write frame: %w: %d", ErrUnknownType, uint8(t))
	}
	if len(payload) > MaxFrame {
		return fmt.Errorf("write %s frame of %d bytes: %w", t, len(payload), ErrTooLarge)
	}
	buf := make([]byte, HeaderSize+len(payload))
	buf[0] = Version
	buf[1] = byte(t)
	binary.BigEndian.PutUint32(buf[2:HeaderSize], uint32(len(payload)))
	copy(buf[HeaderSize:], payload)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write %s frame: %w", t, err)
	}
	return nil
}

// ReadFrame reads one frame. It returns io.EOF only when r ends cleanly
// before a frame starts, and never allocates more than MaxFrame bytes.
func ReadFrame(r io.Reader) (Type, []byte, error) {
	var hdr [HeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		return 0, nil, fmt.Errorf("read frame header: %w", err)
	}
	if hdr[0] != Version {
		return 0, nil, fmt.Errorf("read frame: %w: %d", ErrVersion, hdr[0])
	}
	t := Type(hdr[1])
	if !t.Known() {
		return 0, nil, fmt.Errorf("read frame: %w: %d", ErrUnknownType, hdr[1])
	}
	n := binary.BigEndian.Uint32(hdr[2:])
	if n > MaxFrame {
		return 0, nil, fmt.Errorf("read %s frame of %d bytes: %w", t, n, ErrTooLarge)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, fmt.Errorf("read %s frame payload: %w", t, err)
	}
	return t, payload, nil
}
