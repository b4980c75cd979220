package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
)

// maxSecretLen bounds a secret kept in a file keystore.
const maxSecretLen = 64 << 10

// NewFileKeystore returns a Keystore that keeps each secret in an owner-only
// file under dir. It is for servers without an OS keychain: the secrets are
// protected only by file permissions.
func NewFileKeystore(dir string) Keystore {
	slog.Warn("using the file keystore: private key material is stored on disk, unprotected by the OS keychain; anyone who can read this directory can impersonate you",
		"dir", dir)
	return fileKeystore{dir: dir}
}

type fileKeystore struct{ dir string }

func (fileKeystore) Kind() string { return "file" }

// path returns the file that holds account's secret.
func (k fileKeystore) path(account string) string {
	sum := sha256.Sum256([]byte(account))
	return filepath.Join(k.dir, hex.EncodeToString(sum[:]))
}

func (k fileKeystore) Get(account string) ([]byte, error) {
	p := k.path(account)
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("file keystore %s: %s has mode %04o, readable by others; run chmod 600 on it",
				k.dir, p, fi.Mode().Perm())
		}
	}
	secret, err := readFileLimited(p, maxSecretLen)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("file keystore %s: %s: %w", k.dir, account, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("file keystore %s: %w", k.dir, err)
	}
	return secret, nil
}

func (k fileKeystore) Set(account string, secret []byte) error {
	if len(secret) > maxSecretLen {
		return fmt.Errorf("file keystore %s: secret is %d bytes, at most %d allowed", k.dir, len(secret), maxSecretLen)
	}
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return fmt.Errorf("file keystore: create %s: %w", k.dir, err)
	}
	if err := os.Chmod(k.dir, 0o700); err != nil {
		return fmt.Errorf("file keystore: chmod %s: %w", k.dir, err)
	}
	if err := writeFileAtomic(k.path(account), secret, 0o600); err != nil {
		return fmt.Errorf("file keystore %s: %w", k.dir, err)
	}
	return nil
}

func (k fileKeystore) Delete(account string) error {
	err := os.Remove(k.path(account))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("file keystore %s: %w", k.dir, err)
	}
	return nil
}
