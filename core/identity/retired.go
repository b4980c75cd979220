package identity

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// RetiredFileName is the file in the home dir that holds retired keys.
const RetiredFileName = "identity.retired.sealed"

// MaxRetired bounds how many retired keys a home keeps at once.
const MaxRetired = 16

// retiredMagic starts every identity.retired.sealed file.
const retiredMagic = "tincan-retired"

// ErrTooManyRetired means more than MaxRetired retired keys would be kept.
var ErrTooManyRetired = fmt.Errorf("more than %d retired keys", MaxRetired)

// SaveRetired seals keys (private keys the user has rotated away from but
// some contacts still pin) into home/identity.retired.sealed under home's
// master key in ks, replacing the earlier set. An empty set removes the file.
// The master key must exist already (Save creates it).
func SaveRetired(home string, ks Keystore, keys []*rsa.PrivateKey) error {
	abs, err := absHome(home)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		if err := os.Remove(filepath.Join(abs, RetiredFileName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("save retired keys: %w", err)
		}
		syncDir(abs)
		return nil
	}
	payload, err := marshalRetired(keys)
	if err != nil {
		return fmt.Errorf("save retired keys: %w", err)
	}
	h, err := keyOf(abs, ks)
	if err != nil {
		return fmt.Errorf("save retired keys: %w", err)
	}
	if err := retiredFile.write(h, payload); err != nil {
		return fmt.Errorf("save retired keys: %w", err)
	}
	return nil
}

// LoadRetired returns the keys SaveRetired kept for home, or none if there
// is no such file.
func LoadRetired(home string, ks Keystore) ([]*rsa.PrivateKey, error) {
	abs, err := absHome(home)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(abs, RetiredFileName)
	if _, _, err := retiredFile.read(abs); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load retired keys: %w", err)
	}
	h, err := keyOf(abs, ks)
	if err != nil {
		return nil, fmt.Errorf("load retired keys: %w", err)
	}
	v, body, err := retiredFile.read(abs) // again: keyOf may have resealed it
	if err != nil {
		return nil, fmt.Errorf("load retired keys: %w", err)
	}
	payload, err := retiredFile.open(h, v, body)
	if err != nil {
		return nil, fmt.Errorf("load retired keys: %s: %w", path, err)
	}
	keys, err := parseRetired(payload)
	if err != nil {
		return nil, fmt.Errorf("load retired keys: %s: %w", path, err)
	}
	return keys, nil
}

// marshalRetired encodes keys as: u8 count | (u16 BE length | PKCS#8 DER)...
func marshalRetired(keys []*rsa.PrivateKey) ([]byte, error) {
	if len(keys) > MaxRetired {
		return nil, fmt.Errorf("%w: %d", ErrTooManyRetired, len(keys))
	}
	out := []byte{byte(len(keys))}
	for i, k := range keys {
		if k == nil {
			return nil, fmt.Errorf("retired key %d is missing", i)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, fmt.Errorf("marshal retired key %d: %w", i, err)
		}
		if len(der) > maxKeyDER {
			return nil, fmt.Errorf("retired key %d is %d bytes of DER, at most %d allowed", i, len(der), maxKeyDER)
		}
		out = binary.BigEndian.AppendUint16(out, uint16(len(der)))
		out = append(out, der...)
	}
	return out, nil
}

// parseRetired decodes what marshalRetired wrote, checking every field.
func parseRetired(b []byte) ([]*rsa.PrivateKey, error) {
	if len(b) < 1 {
		return nil, fmt.Errorf("%w: empty", errPayload)
	}
	n := int(b[0])
	b = b[1:]
	if n > MaxRetired {
		return nil, fmt.Errorf("%w: %d retired keys, at most %d", errPayload, n, MaxRetired)
	}
	keys := make([]*rsa.PrivateKey, 0, n)
	for i := range n {
		if len(b) < 2 {
			return nil, fmt.Errorf("%w: retired key %d: truncated length", errPayload, i)
		}
		k := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		if k > maxKeyDER || len(b) < k {
			return nil, fmt.Errorf("%w: retired key %d: length %d with %d bytes left", errPayload, i, k, len(b))
		}
		parsed, err := x509.ParsePKCS8PrivateKey(b[:k])
		if err != nil {
			return nil, fmt.Errorf("%w: retired key %d: %w", errPayload, i, err)
		}
		key, ok := parsed.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: retired key %d is %T, not RSA", errPayload, i, parsed)
		}
		if _, err := CheckPublicKey(&key.PublicKey); err != nil {
			return nil, fmt.Errorf("%w: retired key %d: %w", errPayload, i, err)
		}
		keys = append(keys, key)
		b = b[k:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errPayload, len(b))
	}
	return keys, nil
}
