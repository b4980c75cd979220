package contact

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"

	"tincan/core/identity"
)

var (
	keyOnce           sync.Once
	testKey, weakKey  *rsa.PrivateKey
	testKeyErr, wkErr error
)

// keys returns an RSA-3072 and an RSA-2048 key shared by all tests (key
// generation is slow under -race).
func keys(t testing.TB) (strong, weak *rsa.PrivateKey) {
	t.Helper()
	keyOnce.Do(func() {
		testKey, testKeyErr = rsa.GenerateKey(rand.Reader, identity.KeyBits)
		weakKey, wkErr = rsa.GenerateKey(rand.Reader, 2048)
	})
	if testKeyErr != nil || wkErr != nil {
		t.Fatalf("generate keys: %v %v", testKeyErr, wkErr)
	}
	return testKey, weakKey
}

// testCard returns a valid card with the shared key.
func testCard(t testing.TB) Card {
	k, _ := keys(t)
	c := Card{Name: "Alice Zoë", PublicKey: &k.PublicKey}
	for i := range c.SecretID {
		c.SecretID[i] = byte(i*37 + 1)
	}
	return c
}

func sameCard(t testing.TB, got, want Card) {
	t.Helper()
	if got.Name != want.Name || got.SecretID != want.SecretID || !got.PublicKey.Equal(want.PublicKey) {
		t.Fatalf("card = {%q %x %v}, want {%q %x %v}", got.Name, got.SecretID, got.Fingerprint(),
			want.Name, want.SecretID, want.Fingerprint())
	}
}
