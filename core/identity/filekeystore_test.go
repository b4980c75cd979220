package identity

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFileKeystoreRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	ks := NewFileKeystore(dir)
	if ks.Kind() != "file" {
		t.Errorf("Kind = %q, want file", ks.Kind())
	}
	if _, err := ks.Get("acct"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: %v, want ErrNotFound", err)
	}
	secret := []byte{0, 1, 2, 0xff, '\n', 0}
	if err := ks.Set("acct", secret); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, err := ks.Get("acct")
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Get = %x, %v; want %x", got, err, secret)
	}
	if err := ks.Set("acct", []byte("replaced")); err != nil {
		t.Fatalf("Set again: %v", err)
	}
	if got, _ := ks.Get("acct"); string(got) != "replaced" {
		t.Errorf("after replace Get = %q", got)
	}
	if _, err := ks.Get("other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get other account: %v, want ErrNotFound", err)
	}

	sum := sha256.Sum256([]byte("acct"))
	file := filepath.Join(dir, hex.EncodeToString(sum[:]))
	assertMode(t, file, 0o600)
	assertMode(t, dir, 0o700)
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("keystore dir holds %v (%v), want exactly one file (no temp files left)", entries, err)
	}

	if err := ks.Delete("acct"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := ks.Get("acct"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	if err := ks.Delete("acct"); err != nil {
		t.Errorf("Delete of missing account: %v, want nil", err)
	}
}

func TestFileKeystoreRefusesOpenPermissions(t *testing.T) {
	dir := t.TempDir()
	ks := NewFileKeystore(dir)
	if err := ks.Set("acct", []byte("s")); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("acct"))
	if err := os.Chmod(filepath.Join(dir, hex.EncodeToString(sum[:])), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ks.Get("acct")
	if err == nil || errors.Is(err, ErrNotFound) || !bytes.Contains([]byte(err.Error()), []byte("chmod 600")) {
		t.Errorf("Get of world-readable secret: %v, want a refusal naming chmod 600", err)
	}
}

func TestFileKeystoreSizeLimit(t *testing.T) {
	ks := NewFileKeystore(t.TempDir())
	if err := ks.Set("big", make([]byte, maxSecretLen+1)); err == nil {
		t.Errorf("Set of %d bytes succeeded, want an error", maxSecretLen+1)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", path, got, want)
	}
}
