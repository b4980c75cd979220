package identity

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SealedFileName is the file in the home dir that holds the sealed identity.
const SealedFileName = "identity.sealed"

// Versions of the sealed files (identity.sealed, identity.retired.sealed).
// Each is bound, as authenticated data, to what names its home.
const (
	sealedVersionPath = 1 // bound to the home's absolute path (before home IDs)
	sealedVersion     = 2 // bound to the home's ID: the home can move
)

// sealedMagic starts every identity.sealed file.
const sealedMagic = "tincan-identity"

// maxSealedFile bounds the size of identity.sealed read from disk.
const maxSealedFile = 64 << 10

// ErrMasterKeyMissing means an identity file exists but the keystore has no
// master key for it (another keystore was used, or the key was deleted).
var ErrMasterKeyMissing = errors.New("identity key missing from keystore")

// sealedKind describes one sealed file of a home.
type sealedKind struct {
	name  string // file name in the home
	magic string // plaintext start of the file, before the version byte
	what  string // what it holds, for messages
	limit int64  // largest file read
}

var (
	identityFile = sealedKind{SealedFileName, sealedMagic, "identity", maxSealedFile}
	retiredFile  = sealedKind{RetiredFileName, retiredMagic, "retired-key", maxSealedFile * MaxRetired}
)

// header is the plaintext start of a file of version v.
func (k sealedKind) header(v byte) []byte { return append([]byte(k.magic), v) }

// ad is the authenticated data of a file of version v: its header and the
// name of its home (the path for version 1, the home ID since).
func (k sealedKind) ad(v byte, h homeKey) []byte {
	if v == sealedVersionPath {
		return append(k.header(v), h.abs...)
	}
	return append(k.header(v), "home-id:"+h.id...)
}

// read returns the version and the sealed body of k's file in home abs; a
// missing file is an error satisfying errors.Is(err, fs.ErrNotExist).
func (k sealedKind) read(abs string) (byte, []byte, error) {
	path := filepath.Join(abs, k.name)
	file, err := readFileLimited(path, k.limit)
	if err != nil {
		return 0, nil, err
	}
	v, body, err := k.split(file)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, body, nil
}

// split checks the header of a file and returns its version and the rest.
func (k sealedKind) split(file []byte) (byte, []byte, error) {
	if len(file) < len(k.magic) || string(file[:len(k.magic)]) != k.magic {
		return 0, nil, fmt.Errorf("not a tincan %s file", k.what)
	}
	rest := file[len(k.magic):]
	if len(rest) < 1 {
		return 0, nil, fmt.Errorf("%s file truncated after its header", k.what)
	}
	if v := rest[0]; v != sealedVersionPath && v != sealedVersion {
		return 0, nil, fmt.Errorf("%s file version %d is not supported (this tincan reads versions %d and %d; a newer tincan may be needed)",
			k.what, v, sealedVersionPath, sealedVersion)
	}
	return rest[0], rest[1:], nil
}

// open unseals a body of version v with h's key.
func (k sealedKind) open(h homeKey, v byte, body []byte) ([]byte, error) {
	return Open(h.mk, body, k.ad(v, h))
}

// write seals payload with h's key into k's file (current version).
func (k sealedKind) write(h homeKey, payload []byte) error {
	sealed, err := Seal(h.mk, payload, k.ad(sealedVersion, h))
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(h.abs, k.name), append(k.header(sealedVersion), sealed...), 0o600)
}

// MasterKey returns the master key of home from ks. It fails with an error
// wrapping ErrNotFound if there is none yet (Save creates it). A home whose
// key is still kept under its path is moved to its home ID first.
func MasterKey(home string, ks Keystore) ([]byte, error) {
	abs, err := absHome(home)
	if err != nil {
		return nil, err
	}
	h, err := keyOf(abs, ks)
	if err != nil {
		return nil, err
	}
	return h.mk, nil
}

func absHome(home string) (string, error) {
	abs, err := filepath.Abs(home)
	if err != nil {
		return "", fmt.Errorf("absolute path of %s: %w", home, err)
	}
	return abs, nil
}

// masterKey reads the master key kept under acct.
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

// Save seals id into home/identity.sealed, creating home's ID and master key
// in ks if it has none, and replacing any earlier identity.
func Save(home string, ks Keystore, id *Identity) error {
	abs, err := absHome(home)
	if err != nil {
		return err
	}
	payload, err := marshalIdentity(id)
	if err != nil {
		return fmt.Errorf("save identity: %w", err)
	}
	h, err := keyOf(abs, ks)
	if errors.Is(err, ErrNotFound) {
		h, err = newHomeKey(abs, ks)
	}
	if err != nil {
		return fmt.Errorf("save identity: %w", err)
	}
	if err := identityFile.write(h, payload); err != nil {
		return fmt.Errorf("save identity: %w", err)
	}
	return nil
}

// newHomeKey gives home abs an ID (if it has none) and a new master key.
func newHomeKey(abs string, ks Keystore) (homeKey, error) {
	id, err := ensureHomeID(abs)
	if err != nil {
		return homeKey{}, err
	}
	mk := make([]byte, MasterKeyLen)
	if _, err := rand.Read(mk); err != nil {
		return homeKey{}, fmt.Errorf("new master key: %w", err)
	}
	if err := ks.Set(AccountOf(id), mk); err != nil {
		return homeKey{}, fmt.Errorf("store master key: %w", err)
	}
	return homeKey{abs: abs, id: id, mk: mk}, nil
}

// Load reads and unseals home's identity with its master key from ks. It
// returns an error wrapping ErrNoIdentity if home has no identity yet.
func Load(home string, ks Keystore) (*Identity, error) {
	abs, err := absHome(home)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(abs, SealedFileName)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load identity from %s: %w", abs, ErrNoIdentity)
	}
	if _, _, err := identityFile.read(abs); err != nil {
		return nil, fmt.Errorf("load identity: %w", err)
	}
	h, err := keyOf(abs, ks)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("identity file exists but its key is not in the %s keystore: %w (%w); "+
			"use the keystore it was created with (--keystore keychain or file), or move %s away to start over",
			ks.Kind(), ErrMasterKeyMissing, err, path)
	}
	if err != nil {
		return nil, fmt.Errorf("load identity: %w", err)
	}
	v, sealed, err := identityFile.read(abs) // again: keyOf may have resealed it
	if err != nil {
		return nil, fmt.Errorf("load identity: %w", err)
	}
	payload, err := identityFile.open(h, v, sealed)
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
