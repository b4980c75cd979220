package overlay

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Labels that keep each derived key and tag to its one use.
const (
	labelTag     = "tincan rendezvous tag v1"
	labelRecord  = "tincan rendezvous record v1"
	labelConnect = "tincan connect v1"
	labelAnswer  = "tincan answer v1"
	labelFlood   = "tincan flood v1"
)

// HourOf returns the hour number (hours since the Unix epoch) of t.
func HourOf(t time.Time) uint32 { return uint32(t.Unix() / 3600) }

// hourStart returns when hour h begins.
func hourStart(h uint32) time.Time { return time.Unix(int64(h)*3600, 0) }

// Tag returns where a user with secret ID id announces itself during hour:
// the first 20 bytes of HMAC-SHA256 keyed by the secret ID over the hour
// number. Only the user's contacts can compute it.
func Tag(id SecretID, hour uint32) GUID {
	mac := hmac.New(sha256.New, id[:])
	mac.Write([]byte(labelTag))
	mac.Write(binary.BigEndian.AppendUint32(nil, hour))
	var g GUID
	copy(g[:], mac.Sum(nil))
	return g
}

// derive returns a 32-byte key from the secret ID for one label and hour.
func derive(id SecretID, label string, hour uint32) []byte {
	info := binary.BigEndian.AppendUint32([]byte(label), hour)
	k, err := hkdf.Key(sha256.New, id[:], nil, string(info), 32)
	if err != nil {
		panic("overlay: hkdf: " + err.Error()) // only for lengths HKDF cannot give
	}
	return k
}

func recordAAD(key GUID, hour uint32) []byte {
	b := append([]byte(labelRecord), key[:]...)
	return binary.BigEndian.AppendUint32(b, hour)
}

// sealRecord seals r as the rendezvous record of secret ID id for hour, under
// a key derived from the secret ID and hour (HKDF), so storing nodes learn
// nothing and no one does a public-key operation.
func sealRecord(id SecretID, hour uint32, r *reply, rnd io.Reader) (Record, error) {
	pt, err := encodeReply(r)
	if err != nil {
		return Record{}, err
	}
	tag := Tag(id, hour)
	sealed, err := sealRandomNonce(derive(id, labelRecord, hour), pt, recordAAD(tag, hour), rnd)
	if err != nil {
		return Record{}, fmt.Errorf("seal record: %w", err)
	}
	return Record{Key: tag, Hour: hour, Sealed: sealed}, nil
}

// openRecord opens a record that rec claims secret ID id announced.
func openRecord(id SecretID, rec Record) (*reply, error) {
	if rec.Key != Tag(id, rec.Hour) {
		return nil, ErrOpen
	}
	pt, err := openRandomNonce(derive(id, labelRecord, rec.Hour), rec.Sealed, recordAAD(rec.Key, rec.Hour))
	if err != nil {
		return nil, err
	}
	return decodeReply(pt)
}

// outerAAD binds a message's visible nonce, time and (for connect) target to
// its sealed body.
func outerAAD(label string, n Nonce, ms int64, target *GUID) []byte {
	b := make([]byte, 0, len(label)+16+8+GUIDLen)
	b = append(b, label...)
	b = append(b, n[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(ms))
	if target != nil {
		b = append(b, target[:]...)
	}
	return b
}

// connectKey is the symmetric key a connect request to secret ID id is
// sealed with: only the receiver and its contacts can derive it.
func connectKey(id SecretID) []byte { return derive(id, labelConnect, 0) }

// sealAnswer seals an answer with the sender's one-time reply key.
func sealAnswer(key [32]byte, n Nonce, r *reply, rnd io.Reader) ([]byte, error) {
	pt, err := encodeReply(r)
	if err != nil {
		return nil, err
	}
	return sealRandomNonce(key[:], pt, append([]byte(labelAnswer), n[:]...), rnd)
}

// openAnswer opens an answer sealed with key for nonce n.
func openAnswer(key [32]byte, n Nonce, sealed []byte) (*reply, error) {
	pt, err := openRandomNonce(key[:], sealed, append([]byte(labelAnswer), n[:]...))
	if err != nil {
		return nil, err
	}
	return decodeReply(pt)
}
