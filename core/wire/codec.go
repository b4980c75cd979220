package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Errors of payload encoding and decoding. A decoding error always matches
// ErrMalformed, and also ErrFieldTooLong or ErrInvalidUTF8 when that is why.
var (
	ErrMalformed    = errors.New("wire: malformed payload")
	ErrFieldTooLong = errors.New("wire: field too long")
	ErrInvalidUTF8  = errors.New("wire: text is not valid UTF-8")
)

// checkText enforces a text field's byte limit and UTF-8 validity.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("%s: %d bytes, at most %d: %w", field, len(s), max, ErrFieldTooLong)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: %w", field, ErrInvalidUTF8)
	}
	return nil
}

// appendText appends s with a big-endian uint16 length prefix; callers
// have checked it against a limit below 64 KiB.
func appendText(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// decoder reads fields from a payload; the first failure sticks in err.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}
}

func (d *decoder) take(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b) < n {
		d.fail("%s: need %d bytes, have %d", field, n, len(d.b))
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8(field string) uint8 {
	if v := d.take(field, 1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) u64(field string) uint64 {
	if v := d.take(field, 8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *decoder) id(field string) (id [16]byte) {
	if v := d.take(field, 16); v != nil {
		copy(id[:], v)
	}
	return id
}

func (d *decoder) text(field string, max int) string {
	v := d.take(field+" length", 2)
	if v == nil {
		return ""
	}
	n := int(binary.BigEndian.Uint16(v))
	if n > max {
		d.fail("%s: %d bytes, at most %d: %w", field, n, max, ErrFieldTooLong)
		return ""
	}
	s := d.take(field, n)
	if d.err == nil && !utf8.Valid(s) {
		d.fail("%s: %w", field, ErrInvalidUTF8)
	}
	return string(s)
}

// end reports the first error, or an error if bytes are left over.
func (d *decoder) end(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("decode %s: %w", what, d.err)
	}
	return nil
}
