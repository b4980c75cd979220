package contact

import (
	"crypto/x509"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"

	"tincan/core/identity"
)

// b32 is RFC 4648 base32: uppercase A-Z and 2-7, no padding.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Body layout: u16 BE body length | secret ID | u8 name length | name |
// PKIX DER public key | CRC-32 (IEEE) of everything before it.
const (
	lenSize  = 2
	crcSize  = 4
	fixedLen = lenSize + len(identity.SecretID{}) + 1 + crcSize // body without name and key
)

// versionPrefix is the lowercase start of every card this package writes.
var versionPrefix = Prefix + strconv.Itoa(Version) + ":"

// Encode returns the card's text, or an error if the card has no acceptable
// key or its name is not a valid display name.
func (c Card) Encode() (string, error) {
	if c.Name != "" {
		n, err := identity.NormalizeName(c.Name)
		if err != nil {
			return "", fmt.Errorf("encode card: %w: %w", ErrMalformed, err)
		}
		if n != c.Name {
			return "", fmt.Errorf("encode card: %w: name %q has surrounding space", ErrMalformed, c.Name)
		}
	}
	if _, err := identity.CheckPublicKey(c.PublicKey); err != nil {
		return "", fmt.Errorf("encode card: %w: %w", ErrWeakKey, err)
	}
	der, err := x509.MarshalPKIXPublicKey(c.PublicKey)
	if err != nil {
		return "", fmt.Errorf("encode card: public key: %w", err)
	}
	text, err := encodeText(c.SecretID, c.Name, der)
	if err != nil {
		return "", fmt.Errorf("encode card: %w", err)
	}
	return text, nil
}

// String returns the card's text ("tincan:1:..."). For an invalid card (see
// Encode) it returns "invalid card: <reason>", which Parse rejects.
func (c Card) String() string {
	s, err := c.Encode()
	if err != nil {
		return "invalid card: " + err.Error()
	}
	return s
}

// QRText returns the card's text in uppercase ("TINCAN:1:..."), which fits
// the compact alphanumeric mode of QR codes; Parse accepts it.
func (c Card) QRText() string { return strings.ToUpper(c.String()) }

// encodeText builds a card's text from its fields without judging them.
func encodeText(sid identity.SecretID, name string, keyDER []byte) (string, error) {
	body := encodeBody(sid, name, keyDER)
	if len(name) > 255 || len(body) > 0xffff {
		return "", fmt.Errorf("%w: name of %d bytes or key of %d bytes is too large", ErrMalformed, len(name), len(keyDER))
	}
	text := versionPrefix + b32.EncodeToString(body)
	if len(text) > MaxCardLen {
		return "", fmt.Errorf("%w: card would be %d characters, at most %d allowed", ErrMalformed, len(text), MaxCardLen)
	}
	return text, nil
}

// encodeBody lays out the body; the length and name-length fields are
// truncated if the inputs are too large (encodeText rejects those).
func encodeBody(sid identity.SecretID, name string, keyDER []byte) []byte {
	n := fixedLen + len(name) + len(keyDER)
	body := make([]byte, 0, n)
	body = binary.BigEndian.AppendUint16(body, uint16(n))
	body = append(body, sid[:]...)
	body = append(body, byte(len(name)))
	body = append(body, name...)
	body = append(body, keyDER...)
	return binary.BigEndian.AppendUint32(body, crc32.ChecksumIEEE(body))
}
