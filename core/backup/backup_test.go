package backup

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"tincan/core/discovery"
	"tincan/core/identity"
	"tincan/core/store"
)

// fastParams keep the tests quick; real backups use DefaultParams.
var fastParams = Params{Time: 1, MemoryKiB: minMemory, Threads: 1}

var pass = []byte("correct horse battery")

var (
	idOnce sync.Once
	theID  *identity.Identity
	idErr  error
)

// testIdentity is one identity shared by the tests (key generation is slow).
func testIdentity(t *testing.T) *identity.Identity {
	t.Helper()
	idOnce.Do(func() { theID, idErr = identity.Generate("Ana Backup") })
	if idErr != nil {
		t.Fatal(idErr)
	}
	return theID
}

// makeHome creates a home with an identity, a retired key, a token and a
// database holding a setting.
func makeHome(t *testing.T) (string, identity.Keystore) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
	if err := identity.Save(home, ks, testIdentity(t)); err != nil {
		t.Fatal(err)
	}
	if err := identity.SaveRetired(home, ks, []*rsa.PrivateKey{testIdentity(t).Key}); err != nil {
		t.Fatal(err)
	}
	acct, err := discovery.TokenAccount(home)
	if err != nil {
		t.Fatal(err)
	}
	if err := discovery.SaveToken(ks, acct, "cf-token-123"); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(home, "tincan.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(context.Background(), "greeting", "hello"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return home, ks
}

func export(t *testing.T, home string, ks identity.Keystore) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "backup.tincan")
	if err := Export(context.Background(), home, ks, file, pass, fastParams, nil); err != nil {
		t.Fatalf("Export: %v", err)
	}
	return file
}

func TestExportImportRoundTrip(t *testing.T) {
	home, ks := makeHome(t)
	file := export(t, home, ks)
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the backup file: %v, %v; want mode 0600", fi, err)
	}
	raw, _ := os.ReadFile(file)
	mk, _ := identity.MasterKey(home, ks)
	if bytes.Contains(raw, mk) || bytes.Contains(raw, []byte("hello")) || bytes.Contains(raw, []byte("cf-token")) {
		t.Error("the backup holds the master key, a setting or the token in the clear")
	}
	if !bytes.HasPrefix(raw, []byte(Magic)) {
		t.Errorf("the backup starts %q, want %q", raw[:8], Magic)
	}

	target := filepath.Join(t.TempDir(), "restored")
	ks2 := identity.NewFileKeystore(t.TempDir())
	var last, total int64
	progress := func(d, tot int64) { last, total = d, tot }
	if err := Import(context.Background(), file, pass, target, ks2, progress); err != nil {
		t.Fatalf("Import: %v", err)
	}
	if last != total || total != fi.Size() {
		t.Errorf("import progress ended at %d of %d, want the file's %d bytes", last, total, fi.Size())
	}
	got, err := identity.Load(target, ks2)
	if err != nil {
		t.Fatalf("the restored home does not open: %v", err)
	}
	if got.Name != testIdentity(t).Name || got.SecretID != testIdentity(t).SecretID || !got.Key.Equal(testIdentity(t).Key) {
		t.Error("the restored identity differs from the exported one")
	}
	keys, err := identity.LoadRetired(target, ks2)
	if err != nil || len(keys) != 1 {
		t.Errorf("restored retired keys: %d, %v; want 1", len(keys), err)
	}
	if mk2, err := identity.MasterKey(target, ks2); err != nil || !bytes.Equal(mk, mk2) {
		t.Errorf("the restored master key differs (%v): the node key sealed in the database would not open", err)
	}
	acct, _ := discovery.TokenAccount(target)
	if tok, err := discovery.LoadToken(ks2, acct); err != nil || tok != "cf-token-123" {
		t.Errorf("restored token: %q, %v", tok, err)
	}
	st, err := store.Open(filepath.Join(target, "tincan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.Setting(context.Background(), "greeting"); err != nil || v != "hello" {
		t.Errorf("restored setting: %q, %v", v, err)
	}
	entries, _ := os.ReadDir(target)
	for _, e := range entries {
		if e.Name()[0] == '.' {
			t.Errorf("the import left %s behind", e.Name())
		}
	}
}

// assertUntouched fails unless target does not exist or is empty, and ks is empty.
func assertUntouched(t *testing.T, target, ksDir string) {
	t.Helper()
	for _, dir := range []string{target, ksDir} {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if len(entries) != 0 {
			t.Errorf("a failed import left %d entries in %s (first %s)", len(entries), dir, entries[0].Name())
		}
	}
}

func TestImportRefusesBadInput(t *testing.T) {
	home, ks := makeHome(t)
	file := export(t, home, ks)
	orig, _ := os.ReadFile(file)
	cases := []struct {
		name string
		data []byte
		pass []byte
		want error
	}{
		{"wrong passphrase", orig, []byte("wrong horse battery"), ErrBadBackup},
		{"flipped byte in the memory cost", flip(orig, 16), pass, ErrBadBackup},
		{"flipped byte in the salt", flip(orig, 25), pass, ErrBadBackup},
		{"flipped byte in the nonce prefix", flip(orig, 40), pass, ErrBadBackup},
		{"flipped byte in the chunk size", flip(orig, headerLen-1), pass, ErrBadBackup},
		{"flipped byte in the middle", flip(orig, len(orig)/2), pass, ErrBadBackup},
		{"flipped last byte", flip(orig, len(orig)-1), pass, ErrBadBackup},
		{"cut at a chunk boundary", orig[:headerLen+chunkSize+16], pass, ErrBadBackup},
		{"cut short", orig[:len(orig)-1], pass, ErrBadBackup},
		{"a byte added", append(bytes.Clone(orig), 0), pass, ErrBadBackup},
		{"header only", orig[:headerLen], pass, ErrBadBackup},
		{"half a header", orig[:headerLen/2], pass, ErrBadBackup},
		{"empty", nil, pass, ErrNotBackup},
		{"not a backup", []byte("hello, world"), pass, ErrNotBackup},
		{"a newer version", withByte(orig, len(Magic), 2), pass, ErrNewerBackup},
	}
	if len(orig) < headerLen+chunkSize+100 {
		t.Fatalf("the test backup is %d bytes: too small to cut at a chunk boundary", len(orig))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad")
			if err := os.WriteFile(bad, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			target, ksDir := filepath.Join(t.TempDir(), "target"), t.TempDir()
			err := Import(context.Background(), bad, c.pass, target, identity.NewFileKeystore(ksDir), nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("Import: %v, want %v", err, c.want)
			}
			assertUntouched(t, target, ksDir)
		})
	}
	if ErrBadBackup.Error() != "wrong passphrase or damaged backup" {
		t.Errorf("the error reads %q", ErrBadBackup)
	}
}

func flip(b []byte, i int) []byte { return withByte(b, i, b[i]^0x01) }

func withByte(b []byte, i int, v byte) []byte {
	b = bytes.Clone(b)
	b[i] = v
	return b
}

func TestImportRefusesAHomeWithAnIdentity(t *testing.T) {
	home, ks := makeHome(t)
	file := export(t, home, ks)
	before, _ := os.ReadFile(filepath.Join(home, identity.SealedFileName))
	err := Import(context.Background(), file, pass, home, ks, nil)
	if !errors.Is(err, ErrHasIdentity) {
		t.Fatalf("Import over an identity: %v, want ErrHasIdentity", err)
	}
	after, _ := os.ReadFile(filepath.Join(home, identity.SealedFileName))
	if !bytes.Equal(before, after) {
		t.Error("a refused import changed the identity")
	}
}

func TestExportRefuses(t *testing.T) {
	home, ks := makeHome(t)
	file := filepath.Join(t.TempDir(), "b")
	if err := Export(context.Background(), home, ks, file, []byte("short"), fastParams, nil); !errors.Is(err, ErrShortPassphrase) {
		t.Errorf("a 5-character passphrase: %v, want ErrShortPassphrase", err)
	}
	if err := Export(context.Background(), t.TempDir(), ks, file, pass, fastParams, nil); !errors.Is(err, ErrNothingToExport) {
		t.Errorf("a home without identity: %v, want ErrNothingToExport", err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused export left a file: %v", err)
	}
}

// A node writing to the database while the export copies it: the copy is
// one consistent snapshot that opens.
func TestExportWhileTheDatabaseIsWritten(t *testing.T) {
	home, ks := makeHome(t)
	st, err := store.Open(filepath.Join(home, "tincan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			_ = st.SetSetting(ctx, "counter", string(rune('a'+i%26)))
		}
	})
	file := export(t, home, ks)
	cancel()
	wg.Wait()
	target := filepath.Join(t.TempDir(), "t")
	if err := Import(context.Background(), file, pass, target, identity.NewFileKeystore(t.TempDir()), nil); err != nil {
		t.Fatalf("Import of a backup taken while the database was written: %v", err)
	}
}

func TestDefaultParams(t *testing.T) {
	if DefaultParams.MemoryKiB != 64<<10 || DefaultParams.Time != 3 {
		t.Errorf("DefaultParams = %+v, want 64 MiB and 3 passes", DefaultParams)
	}
	if err := DefaultParams.check(); err != nil {
		t.Errorf("DefaultParams are refused by the reader: %v", err)
	}
}
