package overlay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
)

// ErrOpen means a sealed envelope, record or answer did not open: it was
// sealed to someone else, or tampered with.
var ErrOpen = errors.New("overlay: does not open")

// Sealer seals a flood envelope to one receiver's public key.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
}

// Opener tries to open a flood envelope with this node's user's private key.
// Every call is a trial decryption: the expensive step the flood costs every
// node, and the one rendezvous avoids.
type Opener interface {
	Open(ciphertext, aad []byte) ([]byte, error)
}

// rsaLabel is the OAEP label of every wrapped flood key.
var rsaLabel = []byte("tincan flood key v1")

// RSASealer seals hybrid envelopes to an RSA public key: RSA-OAEP-SHA256
// wraps a fresh AES-256 key, and AES-GCM seals the plaintext and binds aad.
type RSASealer struct {
	Key  *rsa.PublicKey
	Rand io.Reader // nil means crypto/rand
}

// Seal returns the wrapped key followed by the AES-GCM ciphertext.
func (s RSASealer) Seal(plaintext, aad []byte) ([]byte, error) {
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	var key [32]byte
	if _, err := io.ReadFull(r, key[:]); err != nil {
		return nil, fmt.Errorf("seal envelope: random key: %w", err)
	}
	wrapped, err := rsa.EncryptOAEP(sha256.New(), r, s.Key, key[:], rsaLabel)
	if err != nil {
		return nil, fmt.Errorf("seal envelope: wrap key: %w", err)
	}
	aead, err := newGCM(key[:])
	if err != nil {
		return nil, err
	}
	// The key is fresh for every envelope, so a fixed nonce is safe.
	var nonce [12]byte
	return aead.Seal(wrapped, nonce[:], plaintext, aad), nil
}

// RSAOpener opens envelopes sealed by RSASealer to its key's public half.
type RSAOpener struct {
	Key *rsa.PrivateKey
}

// Open unwraps the AES key and opens the rest; any failure is ErrOpen.
func (o RSAOpener) Open(ciphertext, aad []byte) ([]byte, error) {
	k := o.Key.Size()
	if len(ciphertext) < k+16 {
		return nil, ErrOpen
	}
	key, err := rsa.DecryptOAEP(sha256.New(), nil, o.Key, ciphertext[:k], rsaLabel)
	if err != nil || len(key) != 32 {
		return nil, ErrOpen
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	var nonce [12]byte
	pt, err := aead.Open(nil, nonce[:], ciphertext[k:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	return aead, nil
}

// sealRandomNonce seals with a key that may be reused: a random 12-byte
// nonce is prepended.
func sealRandomNonce(key, plaintext, aad []byte, r io.Reader) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, fmt.Errorf("seal: random nonce: %w", err)
	}
	return aead.Seal(out, out, plaintext, aad), nil
}

// openRandomNonce opens what sealRandomNonce sealed; any failure is ErrOpen.
func openRandomNonce(key, sealed, aad []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
