// Package contact encodes and decodes contact cards: the one-line, checksummed
// "tincan:1:..." strings that carry a user's public key and secret ID.
//
// It must never accept a card it cannot fully verify.
package contact

import (
	"crypto/rsa"
	"errors"

	"tincan/core/identity"
)

// Prefix starts every card.
const Prefix = "tincan:"

// Version is the card format this package writes.
const Version = 1

// MaxCardLen bounds the text of a card accepted from a user.
const MaxCardLen = 4096

// MaxNameLen bounds a display name carried in a card (bytes of UTF-8).
const MaxNameLen = 64

// Decoding errors; Parse wraps one of these with detail.
var (
	ErrPrefix    = errors.New("not a tincan card (it must start with \"tincan:\")")
	ErrVersion   = errors.New("card version not supported")
	ErrChecksum  = errors.New("card checksum does not match (a character is mistyped)")
	ErrTruncated = errors.New("card is truncated (part of it is missing)")
	ErrWeakKey   = errors.New("card key is too weak")
	ErrMalformed = errors.New("card is malformed")
)

// Card is what a user gives to a trusted person so they can be reached.
type Card struct {
	Name      string // display name suggested by the card's owner; may be empty
	PublicKey *rsa.PublicKey
	SecretID  identity.SecretID
}

// CardOf returns the card of an identity.
func CardOf(id *identity.Identity) Card {
	return Card{Name: id.Name, PublicKey: id.Public(), SecretID: id.SecretID}
}

// Fingerprint returns the fingerprint of the card's public key.
func (c Card) Fingerprint() identity.Fingerprint { return identity.FingerprintOf(c.PublicKey) }
