package media

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// HKDF info strings, one per direction, so the two directions never share
// a key and nonce.
const (
	infoCallerToCallee = "tincan call media v1 caller->callee"
	infoCalleeToCaller = "tincan call media v1 callee->caller"
)

const saltSize = 4

// directionKey is one direction's AEAD key and nonce salt.
type directionKey struct {
	key  [chacha20poly1305.KeySize]byte
	salt [saltSize]byte
}

// Keys derives one call's two directions from the call key and call ID of
// the offer: send seals what this side sends, recv opens what the peer
// sends. caller is true on the side that placed the call.
func Keys(callKey [32]byte, callID [8]byte, caller bool) (send *Sealer, recv *Opener, err error) {
	if callKey == ([32]byte{}) {
		return nil, nil, errors.New("media keys: the call key is all zero")
	}
	out, err := derive(callKey, callID, infoCallerToCallee)
	if err != nil {
		return nil, nil, err
	}
	in, err := derive(callKey, callID, infoCalleeToCaller)
	if err != nil {
		return nil, nil, err
	}
	if !caller {
		out, in = in, out
	}
	tag := TagOf(callID)
	if send, err = newSealer(out, tag); err != nil {
		return nil, nil, err
	}
	if recv, err = newOpener(in, tag); err != nil {
		return nil, nil, err
	}
	return send, recv, nil
}

// derive is HKDF-SHA256(ikm = call key, salt = call ID, info) cut into a
// key and a nonce salt.
func derive(callKey [32]byte, callID [8]byte, info string) (directionKey, error) {
	var k directionKey
	b, err := hkdf.Key(sha256.New, callKey[:], callID[:], info, len(k.key)+len(k.salt))
	if err != nil {
		return k, fmt.Errorf("media keys: derive %q: %w", info, err)
	}
	copy(k.key[:], b)
	copy(k.salt[:], b[len(k.key):])
	return k, nil
}
