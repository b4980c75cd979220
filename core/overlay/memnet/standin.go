package memnet

import (
	"encoding/binary"
	"sync/atomic"

	"tincan/core/overlay"
)

// StandInKey is a cheap stand-in for a user's RSA keypair, for simulation
// only: sealing tags the plaintext with the key's id and a checksum over aad
// and plaintext, opening checks them. It hides nothing. It counts every
// Open, so a simulator can count the trial decryptions each node would do.
type StandInKey struct {
	id    uint64
	opens atomic.Uint64
}

// NewStandInKey returns a stand-in key named id.
func NewStandInKey(id uint64) *StandInKey { return &StandInKey{id: id} }

// Opens returns how many times Open was called.
func (k *StandInKey) Opens() uint64 { return k.opens.Load() }

// Seal tags plaintext for this key.
func (k *StandInKey) Seal(plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, 16, 16+len(plaintext))
	binary.BigEndian.PutUint64(out, k.id)
	binary.BigEndian.PutUint64(out[8:], fnv64(aad, plaintext))
	return append(out, plaintext...), nil
}

// Open returns the plaintext if ciphertext was sealed for this key with aad.
func (k *StandInKey) Open(ciphertext, aad []byte) ([]byte, error) {
	k.opens.Add(1)
	if len(ciphertext) < 16 || binary.BigEndian.Uint64(ciphertext) != k.id {
		return nil, overlay.ErrOpen
	}
	pt := ciphertext[16:]
	if binary.BigEndian.Uint64(ciphertext[8:]) != fnv64(aad, pt) {
		return nil, overlay.ErrOpen
	}
	return append([]byte(nil), pt...), nil
}

// fnv64 is FNV-1a over a then b, with a separator.
func fnv64(a, b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range a {
		h = (h ^ uint64(c)) * 1099511628211
	}
	h = (h ^ 0xff) * 1099511628211
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}
