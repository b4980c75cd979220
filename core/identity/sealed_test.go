package identity

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// saved writes the shared identity into a fresh home with a file keystore.
func saved(t *testing.T) (home string, ks Keystore) {
	t.Helper()
	home = filepath.Join(t.TempDir(), "home")
	ks = NewFileKeystore(filepath.Join(t.TempDir(), "keys"))
	if err := Save(home, ks, testIdentity(t)); err != nil {
		t.Fatalf("Save: %v", err)
	}
	return home, ks
}

func TestSaveLoadRoundTrip(t *testing.T) {
	home, ks := saved(t)
	got, err := Load(home, ks)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	sameIdentity(t, got, testIdentity(t))
	assertMode(t, filepath.Join(home, SealedFileName), 0o600)

	file, err := os.ReadFile(filepath.Join(home, SealedFileName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(file, []byte("tincan-identity\x02")) {
		t.Errorf("file starts %q, want the tincan-identity v2 header", file[:16])
	}
	if bytes.Contains(file, []byte("Alice Test")) || bytes.Contains(file, testIdentity(t).SecretID[:]) {
		t.Errorf("identity.sealed holds the name or secret ID in the clear")
	}

	// A relative path names the same home and so the same keystore account.
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, home)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Load(rel, ks); err != nil {
		t.Errorf("Load via relative path %s: %v", rel, err)
	} else {
		sameIdentity(t, got, testIdentity(t))
	}
}

func TestSaveAgainKeepsMasterKey(t *testing.T) {
	home, ks := saved(t)
	mk1, err := MasterKey(home, ks)
	if err != nil || len(mk1) != MasterKeyLen {
		t.Fatalf("MasterKey = %x, %v", mk1, err)
	}
	renamed := *testIdentity(t)
	renamed.Name = "Alice Renamed"
	if err := Save(home, ks, &renamed); err != nil {
		t.Fatalf("second Save: %v", err)
	}
	mk2, err := MasterKey(home, ks)
	if err != nil || !bytes.Equal(mk1, mk2) {
		t.Errorf("master key changed on second Save: %x -> %x (%v)", mk1, mk2, err)
	}
	got, err := Load(home, ks)
	if err != nil || got.Name != "Alice Renamed" {
		t.Errorf("Load after second Save = %v, %v", got, err)
	}
	entries, _ := os.ReadDir(home)
	if len(entries) != 2 {
		t.Errorf("home holds %d entries, want only %s and %s (no temp files)", len(entries), SealedFileName, HomeIDFileName)
	}
}

func TestLoadNoIdentity(t *testing.T) {
	ks := NewFileKeystore(t.TempDir())
	_, err := Load(t.TempDir(), ks)
	if !errors.Is(err, ErrNoIdentity) {
		t.Errorf("Load of empty home: %v, want ErrNoIdentity", err)
	}
	if _, err := MasterKey(t.TempDir(), ks); !errors.Is(err, ErrNotFound) {
		t.Errorf("MasterKey of new home: %v, want ErrNotFound", err)
	}
}

func TestLoadMissingMasterKey(t *testing.T) {
	home, _ := saved(t)
	other := NewFileKeystore(t.TempDir())
	_, err := Load(home, other)
	if !errors.Is(err, ErrMasterKeyMissing) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load with empty keystore: %v, want ErrMasterKeyMissing", err)
	}
	if !strings.Contains(err.Error(), "identity file exists but its key is not in the file keystore") {
		t.Errorf("message %q does not explain the missing key", err)
	}
}

func TestLoadWrongHome(t *testing.T) {
	home, ks := saved(t)
	mk, err := MasterKey(home, ks)
	if err != nil {
		t.Fatal(err)
	}
	// Copy the sealed file and even the master key to another home (another
	// home ID): the file is bound to its home's ID and must not open there.
	home2 := t.TempDir()
	data, err := os.ReadFile(filepath.Join(home, SealedFileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home2, SealedFileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	id2, err := HomeID(home2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(home2, ks); !errors.Is(err, ErrMasterKeyMissing) {
		t.Errorf("Load of copied file without key: %v, want ErrMasterKeyMissing", err)
	}
	if err := ks.Set(AccountOf(id2), mk); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(home2, ks); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Load of copied file with copied key: %v, want ErrDecrypt", err)
	}
}

func TestLoadWrongKey(t *testing.T) {
	home, ks := saved(t)
	acct := homeAccount(t, home)
	if err := ks.Set(acct, bytes.Repeat([]byte{7}, MasterKeyLen)); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(home, ks); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Load with replaced master key: %v, want ErrDecrypt", err)
	}
	if err := ks.Set(acct, []byte("short")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(home, ks); err == nil || !strings.Contains(err.Error(), "5 bytes") {
		t.Errorf("Load with a 5-byte master key: %v, want an error naming its size", err)
	}
}

func TestLoadTampered(t *testing.T) {
	home, ks := saved(t)
	path := filepath.Join(home, SealedFileName)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hdr := len("tincan-identity") + 1
	cases := []struct {
		name    string
		mutate  func([]byte) []byte
		wantErr error  // nil: any error
		wantMsg string // substring of the message, if set
	}{
		{"magic", func(b []byte) []byte { b[0] = 'T'; return b }, nil, "not a tincan identity file"},
		{"version", func(b []byte) []byte { b[hdr-1] = 9; return b }, nil, "version 9"},
		{"nonce", func(b []byte) []byte { b[hdr] ^= 1; return b }, ErrDecrypt, ""},
		{"ciphertext", func(b []byte) []byte { b[len(b)/2] ^= 0x80; return b }, ErrDecrypt, ""},
		{"tag", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, ErrDecrypt, ""},
		{"truncated", func(b []byte) []byte { return b[:len(b)-10] }, ErrDecrypt, ""},
		{"header only", func(b []byte) []byte { return b[:hdr] }, ErrDecrypt, ""},
		{"appended", func(b []byte) []byte { return append(b, 0) }, ErrDecrypt, ""},
		{"empty", func(b []byte) []byte { return nil }, nil, "not a tincan identity file"},
		{"huge", func(b []byte) []byte { return append(b, make([]byte, maxSealedFile)...) }, errTooBig, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.mutate(bytes.Clone(orig))
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			id, err := Load(home, ks)
			if err == nil {
				t.Fatalf("Load of tampered file succeeded: %v", id.Name)
			}
			if c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Errorf("Load: %v, want %v", err, c.wantErr)
			}
			if c.wantMsg != "" && !strings.Contains(err.Error(), c.wantMsg) {
				t.Errorf("Load: %q, want it to mention %q", err, c.wantMsg)
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{1}, MasterKeyLen)
	sealed, err := Seal(key, []byte("hello"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	sealed2, _ := Seal(key, []byte("hello"), []byte("ad"))
	if bytes.Equal(sealed, sealed2) {
		t.Errorf("two Seals of the same text are identical: nonce not random")
	}
	pt, err := Open(key, sealed, []byte("ad"))
	if err != nil || string(pt) != "hello" {
		t.Errorf("Open = %q, %v", pt, err)
	}
	if _, err := Open(key, sealed, []byte("other")); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Open with other ad: %v, want ErrDecrypt", err)
	}
	if _, err := Open(key, sealed[:5], []byte("ad")); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Open of 5 bytes: %v, want ErrDecrypt", err)
	}
	if _, err := Seal(key[:16], []byte("x"), nil); err == nil {
		t.Errorf("Seal with a 16-byte key succeeded")
	}
}

func TestSaveRejectsBadIdentity(t *testing.T) {
	bad := *testIdentity(t)
	bad.Name = "a\x00b"
	if err := Save(t.TempDir(), NewFileKeystore(t.TempDir()), &bad); !errors.Is(err, ErrBadName) {
		t.Errorf("Save with bad name: %v, want ErrBadName", err)
	}
}
