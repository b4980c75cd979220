package identity

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	rotatedOnce sync.Once
	rotatedID   *Identity
	rotatedErr  error
)

// rotatedIdentity is the shared identity rotated once to a new key.
func rotatedIdentity(t *testing.T) *Identity {
	t.Helper()
	id := testIdentity(t)
	rotatedOnce.Do(func() { rotatedID, rotatedErr = Rotate(id, true) })
	if rotatedErr != nil {
		t.Fatalf("Rotate with a new key: %v", rotatedErr)
	}
	return rotatedID
}

func TestRotateKeepsKeyUnlessAsked(t *testing.T) {
	id := testIdentity(t)
	next, err := Rotate(id, false)
	if err != nil {
		t.Fatal(err)
	}
	if next.Name != id.Name || !next.Key.Equal(id.Key) {
		t.Errorf("rotation without a new key changed the name or key")
	}
	if next.SecretID == id.SecretID || next.SecretID == (SecretID{}) {
		t.Errorf("secret ID %x after rotation, was %x", next.SecretID, id.SecretID)
	}

	nk := rotatedIdentity(t)
	if nk.Name != id.Name || nk.Key.Equal(id.Key) || nk.SecretID == id.SecretID {
		t.Errorf("rotation with a new key: name %q, same key %v, same ID %v",
			nk.Name, nk.Key.Equal(id.Key), nk.SecretID == id.SecretID)
	}
	if bits := nk.Key.N.BitLen(); bits != KeyBits {
		t.Errorf("new key has %d bits, want %d", bits, KeyBits)
	}
	if _, err := Rotate(&Identity{Name: "x"}, false); err == nil {
		t.Error("rotating an identity without a key succeeded")
	}
}

func TestRetiredKeysRoundTrip(t *testing.T) {
	home, ks := saved(t)
	if keys, err := LoadRetired(home, ks); err != nil || keys != nil {
		t.Fatalf("no retired file: %v, %v; want none and no error", keys, err)
	}
	want := []*rsa.PrivateKey{testIdentity(t).Key, rotatedIdentity(t).Key}
	if err := SaveRetired(home, ks, want); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, RetiredFileName)
	assertMode(t, path, 0o600)
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(want[0])
	if bytes.Contains(file, der[len(der)-64:]) {
		t.Error("a retired key is in the file in the clear")
	}
	got, err := LoadRetired(home, ks)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
		t.Fatalf("loaded %d keys, want the 2 saved, in order", len(got))
	}

	// The file is bound to its home: a copy elsewhere does not open.
	other := filepath.Join(t.TempDir(), "other")
	if err := Save(other, ks, testIdentity(t)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, RetiredFileName), file, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRetired(other, ks); !errors.Is(err, ErrDecrypt) {
		t.Errorf("retired keys copied to another home: %v, want ErrDecrypt", err)
	}
	// A flipped bit is caught.
	file[len(file)-3] ^= 1
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRetired(home, ks); !errors.Is(err, ErrDecrypt) {
		t.Errorf("tampered retired keys: %v, want ErrDecrypt", err)
	}

	// An empty set removes the file.
	if err := SaveRetired(home, ks, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty set left the file: %v", err)
	}
	if keys, err := LoadRetired(home, ks); err != nil || len(keys) != 0 {
		t.Errorf("after removal: %d keys, %v", len(keys), err)
	}
}

func TestRetiredKeysLimits(t *testing.T) {
	home, ks := saved(t)
	many := make([]*rsa.PrivateKey, MaxRetired+1)
	for i := range many {
		many[i] = testIdentity(t).Key
	}
	if err := SaveRetired(home, ks, many); !errors.Is(err, ErrTooManyRetired) {
		t.Errorf("%d keys: %v, want ErrTooManyRetired", len(many), err)
	}
	if err := SaveRetired(filepath.Join(t.TempDir(), "fresh"), ks, many[:1]); !errors.Is(err, ErrNotFound) {
		t.Errorf("retired keys for a home without a master key: %v, want ErrNotFound", err)
	}
	b, err := marshalRetired(many[:2])
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{0, 1, 2, 3, len(b) - 1} {
		if _, err := parseRetired(b[:cut]); !errors.Is(err, errPayload) {
			t.Errorf("parse of the first %d bytes: %v, want errPayload", cut, err)
		}
	}
	if _, err := parseRetired(append(bytes.Clone(b), 0)); !errors.Is(err, errPayload) {
		t.Errorf("trailing byte: %v, want errPayload", err)
	}
	if _, err := parseRetired([]byte{MaxRetired + 1}); !errors.Is(err, errPayload) {
		t.Errorf("count over the limit: %v, want errPayload", err)
	}
}

// FuzzParseRetired checks that the retired-key decoder never panics and that
// whatever it accepts survives a re-encoding unchanged.
func FuzzParseRetired(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Add([]byte{1, 0, 3, 1, 2, 3})
	f.Add([]byte{MaxRetired + 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		keys, err := parseRetired(b)
		if err != nil {
			if !errors.Is(err, errPayload) {
				t.Fatalf("error %v does not wrap errPayload", err)
			}
			return
		}
		again, err := marshalRetired(keys)
		if err != nil {
			t.Fatalf("accepted keys do not marshal: %v", err)
		}
		keys2, err := parseRetired(again)
		if err != nil {
			t.Fatalf("re-encoded keys do not parse: %v", err)
		}
		if len(keys2) != len(keys) {
			t.Fatalf("%d keys re-encoded as %d", len(keys), len(keys2))
		}
		for i := range keys {
			if !keys2[i].Equal(keys[i]) {
				t.Fatalf("key %d changed in a round trip", i)
			}
		}
	})
}
