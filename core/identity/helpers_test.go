package identity

import (
	"sync"
	"testing"
)

var (
	sharedOnce sync.Once
	sharedID   *Identity
	sharedErr  error
)

// testIdentity returns one RSA-3072 identity shared by all tests of this
// package (key generation is slow under -race). Tests must not modify it.
func testIdentity(t *testing.T) *Identity {
	t.Helper()
	sharedOnce.Do(func() { sharedID, sharedErr = Generate("Alice Test") })
	if sharedErr != nil {
		t.Fatalf("Generate: %v", sharedErr)
	}
	return sharedID
}

// sameIdentity fails the test unless got and want hold the same name, key and secret ID.
func sameIdentity(t *testing.T, got, want *Identity) {
	t.Helper()
	if got.Name != want.Name {
		t.Errorf("name = %q, want %q", got.Name, want.Name)
	}
	if got.SecretID != want.SecretID {
		t.Errorf("secret ID = %x, want %x", got.SecretID, want.SecretID)
	}
	if !got.Key.Equal(want.Key) {
		t.Errorf("private key differs")
	}
}
