package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// Generate creates a new identity with a fresh RSA-3072 key and a random secret ID.
func Generate(name string) (*Identity, error) {
	name, err := NormalizeName(name)
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate RSA-%d key: %w", KeyBits, err)
	}
	id := &Identity{Name: name, Key: key}
	if _, err := rand.Read(id.SecretID[:]); err != nil {
		return nil, fmt.Errorf("generate secret ID: %w", err)
	}
	return id, nil
}
