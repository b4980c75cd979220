package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// MasterKeyLen is the size of a master key (AES-256).
const MasterKeyLen = 32

// ErrDecrypt means sealed data failed authentication: the key is wrong, the
// data was moved to another place, or it was tampered with.
var ErrDecrypt = errors.New("sealed data failed authentication (wrong key, moved, or tampered with)")

// Seal encrypts and authenticates plaintext and ad under masterKey with
// AES-256-GCM; the result is nonce || ciphertext || tag.
func Seal(masterKey, plaintext, ad []byte) ([]byte, error) {
	aead, err := newAEAD(masterKey)
	if err != nil {
		return nil, err
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return aead.Seal(out, out, plaintext, ad), nil
}

// Open reverses Seal; it returns ErrDecrypt if sealed or ad was changed or
// the key is wrong.
func Open(masterKey, sealed, ad []byte) ([]byte, error) {
	aead, err := newAEAD(masterKey)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("open: %w: only %d bytes", ErrDecrypt, len(sealed))
	}
	nonce, ct := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	pt, err := aead.Open(nil, nonce, ct, ad)
	if err != nil {
		return nil, fmt.Errorf("open: %w", ErrDecrypt)
	}
	return pt, nil
}

func newAEAD(masterKey []byte) (cipher.AEAD, error) {
	if len(masterKey) != MasterKeyLen {
		return nil, fmt.Errorf("master key is %d bytes, want %d", len(masterKey), MasterKeyLen)
	}
	block, err := aes.NewCipher(masterKey)
	if err != nil {
		return nil, fmt.Errorf("AES: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("GCM: %w", err)
	}
	return aead, nil
}
