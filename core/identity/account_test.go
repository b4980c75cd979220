package identity

import (
	"bytes"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// homeAccount returns the keystore account of home's master key.
func homeAccount(t *testing.T, home string) string {
	t.Helper()
	id, err := readHomeID(mustAbs(t, home))
	if err != nil || id == "" {
		t.Fatalf("home %s has no readable home ID: %q, %v", home, id, err)
	}
	return AccountOf(id)
}

func TestHomeIDFile(t *testing.T) {
	home, _ := saved(t)
	path := filepath.Join(home, HomeIDFileName)
	assertMode(t, path, 0o600)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	id, err := parseHomeID(b)
	if err != nil || len(b) != 33 || b[32] != '\n' {
		t.Fatalf("home-id holds %q (%v), want 32 hex digits and a newline", b, err)
	}
	if again, err := HomeID(home); err != nil || again != id {
		t.Errorf("HomeID = %q, %v; want the stored %q", again, err, id)
	}
	for _, bad := range []string{"", "\n", "abc", strings.Repeat("g", 32), strings.Repeat("A", 32), strings.Repeat("a", 33), strings.Repeat("a", 32) + "\n\n"} {
		if _, err := parseHomeID([]byte(bad)); !errors.Is(err, errBadHomeID) {
			t.Errorf("parseHomeID(%q) = %v, want errBadHomeID", bad, err)
		}
	}
	if err := os.WriteFile(path, []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(home, NewFileKeystore(t.TempDir())); !errors.Is(err, errBadHomeID) {
		t.Errorf("Load with a damaged home-id: %v, want errBadHomeID", err)
	}
	other, err := HomeID(t.TempDir())
	if err != nil || other == id {
		t.Errorf("a second home got ID %q (%v), the same as the first", other, err)
	}
}

// checkMovedHomeOpens saves an identity and retired keys, renames the home
// and opens both from the new path.
func checkMovedHomeOpens(t *testing.T, ks Keystore, parent string) {
	home := filepath.Join(parent, "before")
	if err := Save(home, ks, testIdentity(t)); err != nil {
		t.Fatalf("Save: %v", err)
	}
	acct := homeAccount(t, home)
	t.Cleanup(func() { _ = ks.Delete(acct) })
	retired := []*rsa.PrivateKey{rotatedIdentity(t).Key}
	if err := SaveRetired(home, ks, retired); err != nil {
		t.Fatalf("SaveRetired: %v", err)
	}
	moved := filepath.Join(parent, "after", "elsewhere")
	if err := os.MkdirAll(filepath.Dir(moved), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(home, moved); err != nil {
		t.Fatal(err)
	}
	got, err := Load(moved, ks)
	if err != nil {
		t.Fatalf("the moved home does not open: %v", err)
	}
	sameIdentity(t, got, testIdentity(t))
	keys, err := LoadRetired(moved, ks)
	if err != nil || len(keys) != 1 || !keys[0].Equal(retired[0]) {
		t.Errorf("the moved home's retired keys: %d keys, %v; want the one saved", len(keys), err)
	}
}

func TestMovedHomeOpens(t *testing.T) {
	checkMovedHomeOpens(t, NewFileKeystore(t.TempDir()), t.TempDir())
}

// The CLI keeps the file keystore inside the home: moving the home moves it.
func TestMovedHomeOpensWithItsFileKeystore(t *testing.T) {
	parent := t.TempDir()
	home, moved := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	if err := Save(home, NewFileKeystore(filepath.Join(home, "keystore")), testIdentity(t)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(home, moved); err != nil {
		t.Fatal(err)
	}
	got, err := Load(moved, NewFileKeystore(filepath.Join(moved, "keystore")))
	if err != nil {
		t.Fatalf("the moved home does not open with the keystore moved inside it: %v", err)
	}
	sameIdentity(t, got, testIdentity(t))
}

// makeOldHome writes a home as tincan wrote it before home IDs: the master
// key under the home's absolute path, the sealed files of version 1 bound to
// that path, and no home-id file.
func makeOldHome(t *testing.T, home string, ks Keystore) []byte {
	t.Helper()
	abs := mustAbs(t, home)
	if err := os.MkdirAll(abs, 0o700); err != nil {
		t.Fatal(err)
	}
	mk := randBytes(MasterKeyLen)
	if err := ks.Set(abs, mk); err != nil {
		t.Fatalf("store the old-style key: %v", err)
	}
	t.Cleanup(func() { _ = ks.Delete(abs) })
	h := homeKey{abs: abs, mk: mk}
	payload, err := marshalIdentity(testIdentity(t))
	if err != nil {
		t.Fatal(err)
	}
	retired, err := marshalRetired([]*rsa.PrivateKey{rotatedIdentity(t).Key})
	if err != nil {
		t.Fatal(err)
	}
	for k, pt := range map[sealedKind][]byte{identityFile: payload, retiredFile: retired} {
		sealed, err := Seal(mk, pt, k.ad(sealedVersionPath, h))
		if err != nil {
			t.Fatal(err)
		}
		file := append(k.header(sealedVersionPath), sealed...)
		if err := os.WriteFile(filepath.Join(abs, k.name), file, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return mk
}

// checkOldHomeMigrates opens an old-style home, checks what the migration
// left, moves the home and opens it again.
func checkOldHomeMigrates(t *testing.T, ks Keystore, parent string) {
	home := filepath.Join(parent, "old")
	mk := makeOldHome(t, home, ks)
	if !hasPathBound(home) {
		t.Fatal("the old-style home has no path-bound file to migrate")
	}
	got, err := Load(home, ks)
	if err != nil {
		t.Fatalf("the old-style home does not open: %v", err)
	}
	sameIdentity(t, got, testIdentity(t))
	acct := homeAccount(t, home)
	t.Cleanup(func() { _ = ks.Delete(acct) })
	if now, err := ks.Get(acct); err != nil || !bytes.Equal(now, mk) {
		t.Errorf("after migration the key under the home ID is %x, %v; want the old key", now, err)
	}
	if _, err := ks.Get(mustAbs(t, home)); !errors.Is(err, ErrNotFound) {
		t.Errorf("after migration the entry under the path is still there (%v), want it deleted", err)
	}
	if hasPathBound(home) {
		t.Error("after migration a sealed file is still bound to the path")
	}
	moved := filepath.Join(parent, "new")
	if err := os.Rename(home, moved); err != nil {
		t.Fatal(err)
	}
	got, err = Load(moved, ks)
	if err != nil {
		t.Fatalf("the migrated home does not open after a move: %v", err)
	}
	sameIdentity(t, got, testIdentity(t))
	keys, err := LoadRetired(moved, ks)
	if err != nil || len(keys) != 1 || !keys[0].Equal(rotatedIdentity(t).Key) {
		t.Errorf("retired keys after migration and move: %d keys, %v", len(keys), err)
	}
}

func TestOldHomeMigrates(t *testing.T) {
	checkOldHomeMigrates(t, NewFileKeystore(t.TempDir()), t.TempDir())
}

// A home never opened since the upgrade, whose first use is its retired keys.
func TestOldHomeMigratesFromLoadRetired(t *testing.T) {
	home := filepath.Join(t.TempDir(), "old")
	ks := NewFileKeystore(t.TempDir())
	makeOldHome(t, home, ks)
	keys, err := LoadRetired(home, ks)
	if err != nil || len(keys) != 1 {
		t.Fatalf("LoadRetired of an old-style home: %d keys, %v", len(keys), err)
	}
	if hasPathBound(home) {
		t.Error("LoadRetired left a sealed file bound to the path")
	}
	if _, err := Load(home, ks); err != nil {
		t.Errorf("Load after LoadRetired migrated: %v", err)
	}
}

// failingSet is a keystore whose Set fails (or, with lie, stores other bytes).
type failingSet struct {
	Keystore
	lie bool
}

func (f failingSet) Set(account string, secret []byte) error {
	if f.lie {
		return f.Keystore.Set(account, append(bytes.Clone(secret), 1))
	}
	return errors.New("keystore full")
}

func TestMigrationKeepsOldEntryWhenTheCopyFails(t *testing.T) {
	for _, lie := range []bool{false, true} {
		home := filepath.Join(t.TempDir(), "old")
		real := NewFileKeystore(t.TempDir())
		mk := makeOldHome(t, home, real)
		_, err := Load(home, failingSet{real, lie})
		if err == nil || !strings.Contains(err.Error(), "untouched") {
			t.Fatalf("Load with a keystore whose writes fail (lie=%v): %v, want an error saying the old key is untouched", lie, err)
		}
		if old, err := real.Get(mustAbs(t, home)); err != nil || !bytes.Equal(old, mk) {
			t.Fatalf("after a failed migration the entry under the path is %x, %v; want it kept", old, err)
		}
		if !hasPathBound(home) {
			t.Error("a failed migration resealed the files anyway")
		}
		// With a keystore that works, the next start finishes the move.
		if _, err := Load(home, real); err != nil {
			t.Errorf("Load after the keystore works again: %v", err)
		}
	}
}

func TestConcurrentMigrationAgrees(t *testing.T) {
	home := filepath.Join(t.TempDir(), "old")
	ks := NewFileKeystore(t.TempDir())
	makeOldHome(t, home, ks)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = Load(home, ks) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Load %d of an old-style home: %v", i, err)
		}
	}
	if _, err := Load(home, ks); err != nil {
		t.Errorf("Load after concurrent migrations: %v", err)
	}
}

func TestMoveSecret(t *testing.T) {
	ks := NewFileKeystore(t.TempDir())
	if err := MoveSecret(ks, "nothing", "to"); err != nil {
		t.Errorf("moving a missing secret: %v, want nil", err)
	}
	if err := ks.Set("from", []byte("s")); err != nil {
		t.Fatal(err)
	}
	if err := ks.Set("taken", []byte("other")); err != nil {
		t.Fatal(err)
	}
	if err := MoveSecret(ks, "from", "taken"); err == nil {
		t.Error("moving onto an account holding another secret succeeded")
	}
	if got, _ := ks.Get("from"); string(got) != "s" {
		t.Errorf("a refused move lost the original: %q", got)
	}
	if err := MoveSecret(ks, "from", "to"); err != nil {
		t.Fatal(err)
	}
	if got, err := ks.Get("to"); string(got) != "s" || err != nil {
		t.Errorf("moved secret = %q, %v", got, err)
	}
	if _, err := ks.Get("from"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the original is still there after a move: %v", err)
	}
	if err := MoveSecret(failingSet{Keystore: ks}, "to", "fresh"); err == nil {
		t.Error("a move whose write fails reported success")
	}
	if got, _ := ks.Get("to"); string(got) != "s" {
		t.Errorf("a failed move lost the original: %q", got)
	}
}

// FuzzParseHomeID: an accepted home-id file is exactly 32 lower-case hex
// digits, with or without one newline.
func FuzzParseHomeID(f *testing.F) {
	f.Add([]byte("00112233445566778899aabbccddeeff\n"))
	f.Add([]byte("00112233445566778899AABBCCDDEEFF"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := parseHomeID(b)
		if err != nil {
			return
		}
		if string(b) != id && string(b) != id+"\n" {
			t.Fatalf("parseHomeID(%q) = %q: the file is not the ID", b, id)
		}
		for _, c := range id {
			if !strings.ContainsRune("0123456789abcdef", c) {
				t.Fatalf("accepted ID %q has %q", id, c)
			}
		}
	})
}
