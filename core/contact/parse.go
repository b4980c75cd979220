package contact

import (
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"unicode"

	"tincan/core/identity"
)

// char is one non-space rune of the input and its 1-based position in it.
type char struct {
	r   rune
	pos int
}

// Parse decodes and fully verifies a card. It ignores surrounding and
// embedded whitespace and letter case. Errors wrap one of the Err* sentinels
// and say what is wrong and where.
func Parse(s string) (Card, error) {
	if len(s) > MaxCardLen {
		return Card{}, fmt.Errorf("%w: the text is %d bytes long, a card has at most %d", ErrMalformed, len(s), MaxCardLen)
	}
	cs := compact(s)
	if len(cs) == 0 {
		return Card{}, fmt.Errorf("%w: the text is empty", ErrPrefix)
	}
	if !hasPrefixFold(cs, Prefix) {
		if i := indexFold(cs, Prefix); i > 0 {
			return Card{}, fmt.Errorf("%w: remove the text before \"tincan:\" (it starts at character %d)", ErrPrefix, cs[i].pos)
		}
		return Card{}, fmt.Errorf("%w: it starts with %q", ErrPrefix, head(cs, 12))
	}
	data, err := checkVersion(cs[len(Prefix):])
	if err != nil {
		return Card{}, err
	}
	text, err := base32Text(data)
	if err != nil {
		return Card{}, err
	}
	body, err := checkBody(text)
	if err != nil {
		return Card{}, err
	}
	return parseFields(body)
}

// compact returns the runes of s that are not whitespace, with positions.
func compact(s string) []char {
	var cs []char
	pos := 0
	for _, r := range s {
		pos++
		if !unicode.IsSpace(r) {
			cs = append(cs, char{r, pos})
		}
	}
	return cs
}

// checkVersion reads "<version>:" and returns what follows it.
func checkVersion(cs []char) ([]char, error) {
	v, i := 0, 0
	for ; i < len(cs) && cs[i].r >= '0' && cs[i].r <= '9'; i++ {
		if i == 6 {
			return nil, fmt.Errorf("%w: version number at character %d is too long", ErrMalformed, cs[0].pos)
		}
		v = v*10 + int(cs[i].r-'0')
	}
	switch {
	case i == 0 && len(cs) == 0:
		return nil, fmt.Errorf("%w: nothing after \"tincan:\"", ErrTruncated)
	case i == 0:
		return nil, fmt.Errorf("%w: expected a version number after \"tincan:\", found %q at character %d", ErrMalformed, cs[0].r, cs[0].pos)
	case v > Version:
		return nil, fmt.Errorf("%w: this is a version %d card and this tincan reads version %d; a newer tincan is needed", ErrVersion, v, Version)
	case v != Version:
		return nil, fmt.Errorf("%w: version %d does not exist (this tincan reads version %d)", ErrVersion, v, Version)
	case i == len(cs):
		return nil, fmt.Errorf("%w: nothing after \"tincan:%d\"", ErrTruncated, v)
	case cs[i].r != ':':
		return nil, fmt.Errorf("%w: expected ':' after the version, found %q at character %d", ErrMalformed, cs[i].r, cs[i].pos)
	case i+1 == len(cs):
		return nil, fmt.Errorf("%w: nothing after \"tincan:%d:\"", ErrTruncated, v)
	}
	return cs[i+1:], nil
}

// base32Text checks every character against the base32 alphabet and returns
// the data in uppercase.
func base32Text(cs []char) (string, error) {
	b := make([]byte, len(cs))
	for i, c := range cs {
		r := c.r
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return "", fmt.Errorf("%w: invalid character %q at position %d%s", ErrMalformed, c.r, c.pos, hint(c.r))
		}
		b[i] = byte(r)
	}
	return string(b), nil
}

// hint explains the base32 alphabet for characters people confuse with it.
func hint(r rune) string {
	switch r {
	case '0', '1', '8', '9':
		return " (cards use only the letters A-Z and the digits 2-7: 0 is the letter O, 1 is the letter I, 8 is B)"
	case '=':
		return " (cards have no '=' padding)"
	}
	return " (cards use only the letters A-Z and the digits 2-7)"
}

// checkBody decodes the base32 text and checks the body's length, checksum
// and canonical encoding.
func checkBody(text string) ([]byte, error) {
	valid := len(text)
	if r := valid % 8; r == 1 || r == 3 || r == 6 {
		valid-- // no base32 text has this length: a character is missing or extra
	}
	body, err := b32.DecodeString(text[:valid])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	n := len(body)
	if n < fixedLen {
		return nil, fmt.Errorf("%w: the card holds only %d bytes", ErrTruncated, n)
	}
	declared := int(binary.BigEndian.Uint16(body))
	if declared != n {
		switch {
		case onlyLengthDamaged(body):
			return nil, fmt.Errorf("%w: one of the first characters after \"tincan:1:\" is wrong", ErrChecksum)
		case declared > n:
			return nil, fmt.Errorf("%w: the card holds %d of its %d bytes", ErrTruncated, n, declared)
		case declared >= fixedLen && crcOK(body[:declared]):
			return nil, fmt.Errorf("%w: unexpected characters after the end of the card", ErrMalformed)
		default:
			return nil, fmt.Errorf("%w: the card's length field does not match its %d bytes", ErrChecksum, n)
		}
	}
	if !crcOK(body) {
		return nil, ErrChecksum
	}
	if enc := b32.EncodeToString(body); enc != text {
		if strings.HasPrefix(text, enc) {
			return nil, fmt.Errorf("%w: unexpected characters after the end of the card", ErrMalformed)
		}
		return nil, fmt.Errorf("%w: the last character is wrong", ErrChecksum)
	}
	return body, nil
}

// crcOK reports whether body ends with the CRC-32 of the rest.
func crcOK(body []byte) bool {
	n := len(body) - crcSize
	return crc32.ChecksumIEEE(body[:n]) == binary.BigEndian.Uint32(body[n:])
}

// onlyLengthDamaged reports whether a single mistyped character among the
// first four explains the body: such a character changes the length field
// and at most the top four bits of the byte after it.
func onlyLengthDamaged(body []byte) bool {
	n := len(body) - crcSize
	fixed := append([]byte(nil), body[:n]...)
	binary.BigEndian.PutUint16(fixed, uint16(len(body)))
	want := binary.BigEndian.Uint32(body[n:])
	for hi := range 16 {
		fixed[lenSize] = fixed[lenSize]&0x0f | byte(hi<<4)
		if crc32.ChecksumIEEE(fixed) == want {
			return true
		}
	}
	return false
}

// parseFields reads the checked body into a Card and judges its name and key.
func parseFields(body []byte) (Card, error) {
	var c Card
	p := body[lenSize : len(body)-crcSize]
	p = p[copy(c.SecretID[:], p):]
	nameLen := int(p[0])
	p = p[1:]
	if nameLen > MaxNameLen {
		return Card{}, fmt.Errorf("%w: name is %d bytes, at most %d allowed", ErrMalformed, nameLen, MaxNameLen)
	}
	if nameLen > len(p) {
		return Card{}, fmt.Errorf("%w: name length %d runs past the end of the card", ErrMalformed, nameLen)
	}
	c.Name, p = string(p[:nameLen]), p[nameLen:]
	if c.Name != "" {
		n, err := identity.NormalizeName(c.Name)
		if err != nil {
			return Card{}, fmt.Errorf("%w: name: %w", ErrMalformed, err)
		}
		if n != c.Name {
			return Card{}, fmt.Errorf("%w: name %q has surrounding space", ErrMalformed, c.Name)
		}
	}
	pub, err := x509.ParsePKIXPublicKey(p)
	if err != nil {
		return Card{}, fmt.Errorf("%w: public key: %v", ErrMalformed, err)
	}
	c.PublicKey, err = identity.CheckPublicKey(pub)
	if err != nil {
		return Card{}, fmt.Errorf("%w: %w", ErrWeakKey, err)
	}
	return c, nil
}

// hasPrefixFold reports whether cs starts with the ASCII string p, ignoring case.
func hasPrefixFold(cs []char, p string) bool {
	if len(cs) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lowerASCII(cs[i].r) != rune(p[i]) {
			return false
		}
	}
	return true
}

// indexFold returns the index in cs of the lowercase ASCII string p, or -1.
func indexFold(cs []char, p string) int {
	for i := range cs {
		if hasPrefixFold(cs[i:], p) {
			return i
		}
	}
	return -1
}

func lowerASCII(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + ('a' - 'A')
	}
	return r
}

// head returns the first n runes of cs as a string.
func head(cs []char, n int) string {
	var b strings.Builder
	for i := 0; i < len(cs) && i < n; i++ {
		b.WriteRune(cs[i].r)
	}
	return b.String()
}
