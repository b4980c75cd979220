// Package identity holds the user's identity: an RSA-3072 keypair and a random
// 128-bit secret ID, and keeps the private key sealed on disk under a master
// key that lives in a Keystore (the OS keychain by default).
//
// It must never write a private key or the master key to disk in the clear,
// except through the explicit file Keystore chosen by the user.
package identity

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
)

// KeyBits is the size of every identity key tincan generates.
const KeyBits = 3072

// MinKeyBits is the smallest RSA key tincan accepts from anyone.
const MinKeyBits = 3072

// SecretID is the random 128-bit ID that only a user's contacts know.
type SecretID [16]byte

// Identity is one user's name, keypair and secret ID.
type Identity struct {
	Name     string
	Key      *rsa.PrivateKey
	SecretID SecretID
}

// ErrNoIdentity means the data dir has no identity yet (first run).
var ErrNoIdentity = errors.New("no identity yet")

// Fingerprint is the SHA-256 of a public key's PKIX DER encoding.
type Fingerprint [32]byte

// FingerprintOf returns the fingerprint of pub.
func FingerprintOf(pub *rsa.PublicKey) Fingerprint {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("identity: marshal RSA public key: " + err.Error())
	}
	return sha256.Sum256(der)
}

// Public returns the identity's public key.
func (id *Identity) Public() *rsa.PublicKey { return &id.Key.PublicKey }

// Fingerprint returns the fingerprint of the identity's public key.
func (id *Identity) Fingerprint() Fingerprint { return FingerprintOf(id.Public()) }
