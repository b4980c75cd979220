package overlay

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"sync"
	"testing"
)

// rsaKeys generates two real RSA-3072 keys once for the package's tests.
var rsaKeys = sync.OnceValues(func() ([2]*rsa.PrivateKey, error) {
	var keys [2]*rsa.PrivateKey
	var errs [2]error
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = rsa.GenerateKey(rand.Reader, 3072) })
	}
	wg.Wait()
	return keys, errors.Join(errs[:]...)
})

func TestFloodEnvelopeOpensOnlyWithItsRSAKey(t *testing.T) {
	t.Parallel()
	keys, err := rsaKeys()
	if err != nil {
		t.Fatal(err)
	}
	mine, other := keys[0], keys[1]
	h := &hello{SecretID: SecretID{1, 2, 3}, From: Fingerprint{9}, ReplyKey: [32]byte{7}, GUID: GUID{5},
		Nonce: Nonce{6}, Time: 1767225600000}
	pt, err := encodeHello(h)
	if err != nil {
		t.Fatal(err)
	}
	aad := outerAAD(labelFlood, h.Nonce, h.Time, nil)
	env, err := RSASealer{Key: &mine.PublicKey}.Seal(pt, aad)
	if err != nil {
		t.Fatal(err)
	}
	if len(env) > MaxEnvelope {
		t.Fatalf("envelope of %d bytes is over MaxEnvelope", len(env))
	}
	got, err := RSAOpener{Key: mine}.Open(env, aad)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("the receiver's key: %v", err)
	}
	if _, err := (RSAOpener{Key: other}).Open(env, aad); !errors.Is(err, ErrOpen) {
		t.Fatalf("another key opened it: %v", err)
	}
	for name, bad := range map[string][]byte{
		"wrapped key":  flip(env, 10),
		"ciphertext":   flip(env, mine.Size()+3),
		"tag":          flip(env, len(env)-1),
		"truncated":    env[:len(env)-1],
		"key only":     env[:mine.Size()],
		"empty":        nil,
		"appended":     append(bytes.Clone(env), 0),
		"other nonce":  nil, // replaced below
		"shifted time": nil,
	} {
		aadUsed := aad
		switch name {
		case "other nonce":
			bad, aadUsed = env, outerAAD(labelFlood, Nonce{7}, h.Time, nil)
		case "shifted time":
			bad, aadUsed = env, outerAAD(labelFlood, h.Nonce, h.Time-600000, nil)
		}
		if _, err := (RSAOpener{Key: mine}).Open(bad, aadUsed); !errors.Is(err, ErrOpen) {
			t.Errorf("tampered %s opened: %v", name, err)
		}
	}
	// Two seals of the same hello differ (a fresh key each time).
	env2, _ := RSASealer{Key: &mine.PublicKey}.Seal(pt, aad)
	if bytes.Equal(env, env2) {
		t.Error("two envelopes are identical")
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

func TestRendezvousRecordsAndTags(t *testing.T) {
	id, other := SecretID{1}, SecretID{2}
	again := Tag(id, 10)
	if Tag(id, 10) == Tag(id, 11) || Tag(id, 10) == Tag(other, 10) || again != Tag(id, 10) {
		t.Fatal("tags must depend on the secret ID and the hour, and only on them")
	}
	body := &reply{GUID: GUID{3}, Time: 4}
	rec, err := sealRecord(id, 10, body, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Key != Tag(id, 10) || len(rec.Sealed) > MaxRecordSealed {
		t.Fatalf("record under %s, %d bytes", rec.Key.Short(), len(rec.Sealed))
	}
	if got, err := openRecord(id, rec); err != nil || got.GUID != body.GUID {
		t.Fatalf("open: %+v %v", got, err)
	}
	if _, err := openRecord(other, rec); err == nil {
		t.Fatal("another secret ID opened the record")
	}
	moved := rec
	moved.Hour = 11
	if _, err := openRecord(id, moved); err == nil {
		t.Fatal("a record replayed under another hour opened")
	}
	tampered := rec
	tampered.Sealed = flip(rec.Sealed, 20)
	if _, err := openRecord(id, tampered); err == nil {
		t.Fatal("a tampered record opened")
	}
	key := [32]byte{9}
	sealed, err := sealAnswer(key, Nonce{1}, body, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openAnswer(key, Nonce{2}, sealed); err == nil {
		t.Fatal("an answer opened under another nonce")
	}
	if got, err := openAnswer(key, Nonce{1}, sealed); err != nil || got.GUID != body.GUID {
		t.Fatalf("answer: %+v %v", got, err)
	}
}
