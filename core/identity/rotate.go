package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
)

// Rotate returns a successor of id: the same name, a fresh random secret ID
// and, with newKey, a fresh RSA-3072 key (otherwise the same key). id is
// left unchanged.
func Rotate(id *Identity, newKey bool) (*Identity, error) {
	if id == nil || id.Key == nil {
		return nil, errors.New("rotate identity: no key")
	}
	next := &Identity{Name: id.Name, Key: id.Key}
	if newKey {
		key, err := rsa.GenerateKey(rand.Reader, KeyBits)
		if err != nil {
			return nil, fmt.Errorf("rotate identity: generate RSA-%d key: %w", KeyBits, err)
		}
		next.Key = key
	}
	for {
		if _, err := rand.Read(next.SecretID[:]); err != nil {
			return nil, fmt.Errorf("rotate identity: new secret ID: %w", err)
		}
		if next.SecretID != id.SecretID {
			break
		}
	}
	return next, nil
}
