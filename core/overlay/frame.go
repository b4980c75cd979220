package overlay

import (
	"encoding/binary"
	"fmt"
	"io"
)

// WriteFrame writes m to w as one frame: a big-endian uint16 length, then
// the encoded message.
func WriteFrame(w io.Writer, m Message) error {
	b, err := AppendMessage(make([]byte, 2, 128), m)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint16(b, uint16(len(b)-2))
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write %s frame: %w", m.Type(), err)
	}
	return nil
}

// ReadFrame reads one frame from r. It checks the length against MaxMessage
// before allocating.
func ReadFrame(r io.Reader) (Message, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("read frame header: %w", err)
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if n > MaxMessage {
		return nil, fmt.Errorf("read frame: length %d: %w", n, ErrTooLarge)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("read frame body: %w", err)
	}
	return Decode(buf)
}
