package identity

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
)

// maxKeyDER bounds the PKCS#8 encoding of a private key in a sealed identity
// (an RSA-3072 key is about 1,800 bytes; this leaves room up to RSA-8192).
const maxKeyDER = 8 << 10

// errPayload means the unsealed identity bytes are not well formed.
var errPayload = errors.New("malformed identity data")

// marshalIdentity encodes id as:
// u8 name length | name | 16-byte secret ID | u16 BE key length | PKCS#8 DER.
func marshalIdentity(id *Identity) ([]byte, error) {
	name, err := NormalizeName(id.Name)
	if err != nil {
		return nil, err
	}
	if id.Key == nil {
		return nil, errors.New("identity has no key")
	}
	der, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return nil, fmt.Errorf("marshal private key: %w", err)
	}
	if len(der) > maxKeyDER {
		return nil, fmt.Errorf("private key is %d bytes of DER, at most %d allowed", len(der), maxKeyDER)
	}
	out := make([]byte, 0, 1+len(name)+len(id.SecretID)+2+len(der))
	out = append(out, byte(len(name)))
	out = append(out, name...)
	out = append(out, id.SecretID[:]...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(der)))
	out = append(out, der...)
	return out, nil
}

// parseIdentity decodes what marshalIdentity wrote, checking every field.
func parseIdentity(b []byte) (*Identity, error) {
	if len(b) < 1 {
		return nil, fmt.Errorf("%w: empty", errPayload)
	}
	n := int(b[0])
	b = b[1:]
	if n > MaxNameLen || len(b) < n {
		return nil, fmt.Errorf("%w: name length %d", errPayload, n)
	}
	name, err := NormalizeName(string(b[:n]))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errPayload, err)
	}
	if name != string(b[:n]) {
		return nil, fmt.Errorf("%w: name has surrounding space", errPayload)
	}
	b = b[n:]
	id := &Identity{Name: name}
	if len(b) < len(id.SecretID)+2 {
		return nil, fmt.Errorf("%w: truncated secret ID", errPayload)
	}
	copy(id.SecretID[:], b)
	b = b[len(id.SecretID):]
	k := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if k > maxKeyDER || len(b) != k {
		return nil, fmt.Errorf("%w: key length %d with %d bytes left", errPayload, k, len(b))
	}
	parsed, err := x509.ParsePKCS8PrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: private key: %w", errPayload, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: private key is %T, not RSA", errPayload, parsed)
	}
	if _, err := CheckPublicKey(&key.PublicKey); err != nil {
		return nil, fmt.Errorf("%w: %w", errPayload, err)
	}
	id.Key = key
	return id, nil
}
