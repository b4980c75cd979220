package identity

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// HomeIDFileName is the file in the home dir that holds the home's random
// ID. The ID, not the home's path, names the home's entries in the keystore,
// so a home that is moved or copied whole still opens.
const HomeIDFileName = "home-id"

// homeIDBytes is the size of a home ID before hex encoding.
const homeIDBytes = 16

// maxHomeIDFile bounds the home-id file read from disk.
const maxHomeIDFile = 128

// errBadHomeID means the home-id file does not hold a home ID.
var errBadHomeID = errors.New("the home-id file is damaged")

// HomeID returns the ID of home, creating it (and home) on first use.
func HomeID(home string) (string, error) {
	abs, err := filepath.Abs(home)
	if err != nil {
		return "", fmt.Errorf("absolute path of %s: %w", home, err)
	}
	return ensureHomeID(abs)
}

// AccountOf returns the keystore account of the master key of the home whose
// ID is id.
func AccountOf(id string) string { return "home:" + id }

// pathAccount is the account a home's master key had before home IDs: the
// home's absolute path. Only the migration still reads it.
func pathAccount(abs string) string { return abs }

// readHomeID returns the ID kept in home abs, or "" if there is none yet.
func readHomeID(abs string) (string, error) {
	p := filepath.Join(abs, HomeIDFileName)
	b, err := readFileLimited(p, maxHomeIDFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read home ID: %w", err)
	}
	id, err := parseHomeID(b)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return id, nil
}

// parseHomeID checks the contents of a home-id file: 32 lower-case hex
// digits and an optional newline.
func parseHomeID(b []byte) (string, error) {
	s := strings.TrimSuffix(string(b), "\n")
	if len(s) != 2*homeIDBytes {
		return "", fmt.Errorf("%w: %d characters, want %d", errBadHomeID, len(s), 2*homeIDBytes)
	}
	raw, err := hex.DecodeString(s)
	if err != nil || hex.EncodeToString(raw) != s {
		return "", fmt.Errorf("%w: not lower-case hex", errBadHomeID)
	}
	return s, nil
}

// ensureHomeID returns the ID of home abs, making one if it has none. Two
// processes that race here agree on one ID: the file is linked into place
// only if it does not exist yet.
func ensureHomeID(abs string) (string, error) {
	if id, err := readHomeID(abs); err != nil || id != "" {
		return id, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", abs, err)
	}
	raw := make([]byte, homeIDBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("new home ID: %w", err)
	}
	id := hex.EncodeToString(raw)
	path := filepath.Join(abs, HomeIDFileName)
	if err := createFileOnce(path, []byte(id+"\n")); err != nil {
		return "", fmt.Errorf("new home ID: %w", err)
	}
	return readHomeID(abs)
}

// createFileOnce writes data (mode 0600) to path unless path exists, so that
// readers see no file or the whole of it. Losing a race is not an error.
func createFileOnce(path string, data []byte) error {
	tmp := path + ".new-" + hex.EncodeToString(randBytes(8))
	if err := writeFileAtomic(tmp, data, 0o600); err != nil {
		return err
	}
	defer os.Remove(tmp)
	err := os.Link(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		syncDir(filepath.Dir(path))
		return nil
	}
	// A file system without hard links: rename, after a last look.
	if _, serr := os.Lstat(path); serr == nil {
		return nil
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return b
}

// copySecret makes ks hold secret under account to, and checks that it reads
// back. An account that already holds another secret is an error: it is
// never overwritten.
func copySecret(ks Keystore, secret []byte, to string) error {
	got, err := ks.Get(to)
	switch {
	case err == nil && bytes.Equal(got, secret):
		return nil
	case err == nil:
		return fmt.Errorf("the %s keystore already holds a different secret under %s", ks.Kind(), to)
	case !errors.Is(err, ErrNotFound):
		return err
	}
	if err := ks.Set(to, secret); err != nil {
		return err
	}
	got, err = ks.Get(to)
	if err == nil && bytes.Equal(got, secret) {
		return nil
	}
	_ = ks.Delete(to) // the account was empty before: leave it so
	if err != nil {
		return fmt.Errorf("read back %s: %w", to, err)
	}
	return fmt.Errorf("the %s keystore returned a different secret for %s than was written", ks.Kind(), to)
}

// MoveSecret moves the secret kept under account from to account to in ks:
// it copies it, reads the copy back, and only then deletes the original, so
// the only copy is never lost. Nothing under from is not an error. If to
// already holds another secret, nothing changes and an error says so.
func MoveSecret(ks Keystore, from, to string) error {
	secret, err := ks.Get(from)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("move secret: %w", err)
	}
	if err := copySecret(ks, secret, to); err != nil {
		return fmt.Errorf("move secret (the original is kept): %w", err)
	}
	if err := ks.Delete(from); err != nil {
		return fmt.Errorf("move secret: copied, but the original could not be deleted: %w", err)
	}
	return nil
}

// RestoreMasterKey stores mk as the master key of the home whose ID is id,
// as restoring a backup needs, and checks it reads back. An account that
// holds another key is an error and is left as it was. It reports whether
// it made the entry (the caller deletes it if the restore fails later).
func RestoreMasterKey(ks Keystore, id string, mk []byte) (bool, error) {
	if _, err := parseHomeID([]byte(id)); err != nil {
		return false, err
	}
	if len(mk) != MasterKeyLen {
		return false, fmt.Errorf("master key is %d bytes, want %d", len(mk), MasterKeyLen)
	}
	acct := AccountOf(id)
	_, err := ks.Get(acct)
	created := errors.Is(err, ErrNotFound)
	if err != nil && !created {
		return false, err
	}
	if err := copySecret(ks, mk, acct); err != nil {
		return false, err
	}
	return created, nil
}
