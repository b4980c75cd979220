package identity

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SealedFileName is the file in the home dir that holds the sealed identity.
const SealedFileName = "identity.sealed"

// sealedMagic and sealedVersion start every identity.sealed file.
const (
	sealedMagic   = "tincan-identity"
	sealedVersion = 1
)

// maxSealedFile bounds the size of identity.sealed read from disk.
const maxSealedFile = 64 << 10

// ErrMasterKeyMissing means an identity file exists but the keystore has no
// master key for it (another keystore was used, or the key was deleted).
var ErrMasterKeyMissing = errors.New("identity key missing from keystore")

// account returns the keystore account of a home dir: its absolute path.
func account(home string) (string, error) {
	abs, err := filepath.Abs(home)
	if err != nil {
		return "", fmt.Errorf("absolute path of %s: %w", home, err)
	}
	return abs, nil
}

// sealedHeader is the plaintext start of identity.sealed.
func sealedHeader() []byte {
	return append([]byte(sealedMagic), sealedVersion)
}

// sealedAD binds a sealed identity to its header and its home dir.
func sealedAD(absHome string) []byte {
	return append(sealedHeader(), absHome...)
}

// MasterKey returns the master key of home from ks. It fails with an error
// wrapping ErrNotFound if there is none yet (Save creates it).
func MasterKey(home string, ks Keystore) ([]byte, error) {
	acct, err := account(home)
	if err != nil {
		return nil, err
	}
	return masterKey(acct, ks)
}

func masterKey(acct string, ks Keystore) ([]byte, error) {
	mk, err := ks.Get(acct)
	if err != nil {
		return nil, fmt.Errorf("master key for %s: %w", acct, err)
	}
	if len(mk) != MasterKeyLen {
		return nil, fmt.Errorf("master key for %s in the %s keystore is %d bytes, want %d",
			acct, ks.Kind(), len(mk), MasterKeyLen)
	}
	return mk, nil
}

// Save seals id into home/identity.sealed, creating home's master key in ks
// if it has none, and replacing any earlier identity.
func Save(home string, ks Keystore, id *Identity) error {
	acct, err := account(home)
	if err != nil {
		return err
	}
	payload, err := marshalIdentity(id)
	if err != nil {
		return fmt.Errorf("save identity: %w", err)
	}
	mk, err := masterKey(acct, ks)
	if errors.Is(err, ErrNotFound) {
		mk = make([]byte, MasterKeyLen)
		if _, err := rand.Read(mk); err != nil {
			return fmt.Errorf("save identity: new master key: %w", err)
		}
		if err := ks.Set(acct, mk); err != nil {
			return fmt.Errorf("save identity: store master key: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("save identity: %w", err)
	}
	sealed, err := Seal(mk, payload, sealedAD(acct))
	if err != nil {
		return fmt.Errorf("save identity: %w", err)
	}
	if err := os.MkdirAll(acct, 0o700); err != nil {
		return fmt.Errorf("save identity: create %s: %w", acct, err)
	}
	file := append(sealedHeader(), sealed...)
	if err := writeFileAtomic(filepath.Join(acct, SealedFileName), file, 0o600); err != nil {
		return fmt.Errorf("save identity: %w", err)
	}
	return nil
}

// Load reads and unseals home's identity with its master key from ks. It
// returns an error wrapping ErrNoIdentity if home has no identity yet.
func Load(home string, ks Keystore) (*Identity, error) {
	acct, err := account(home)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(acct, SealedFileName)
	file, err := readFileLimited(path, maxSealedFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load identity from %s: %w", acct, ErrNoIdentity)
	}
	if err != nil {
		return nil, fmt.Errorf("load identity: %w", err)
	}
	sealed, err := splitHeader(file)
	if err != nil {
		return nil, fmt.Errorf("load identity: %s: %w", path, err)
	}
	mk, err := masterKey(acct, ks)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("identity file exists but its key is not in the %s keystore: %w (%w); "+
			"use the keystore it was created with (--keystore keychain or file), or move %s away to start over",
			ks.Kind(), ErrMasterKeyMissing, err, path)
	}
	if err != nil {
		return nil, fmt.Errorf("load identity: %w", err)
	}
	payload, err := Open(mk, sealed, sealedAD(acct))
	if err != nil {
		return nil, fmt.Errorf("load identity: %s cannot be decrypted with the key in the %s keystore "+
			"(it was tampered with, copied from another home dir, or the key was replaced): %w", path, ks.Kind(), err)
	}
	id, err := parseIdentity(payload)
	if err != nil {
		return nil, fmt.Errorf("load identity: %s: %w", path, err)
	}
	return id, nil
}

// splitHeader checks the header of identity.sealed and returns the rest.
func splitHeader(file []byte) ([]byte, error) {
	if !bytes.HasPrefix(file, []byte(sealedMagic)) {
		return nil, errors.New("not a tincan identity file")
	}
	rest := file[len(sealedMagic):]
	if len(rest) < 1 {
		return nil, errors.New("identity file truncated after its header")
	}
	if v := rest[0]; v != sealedVersion {
		return nil, fmt.Errorf("identity file version %d is not supported (this tincan reads version %d; a newer tincan may be needed)", v, sealedVersion)
	}
	return rest[1:], nil
}
