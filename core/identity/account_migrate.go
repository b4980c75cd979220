package identity

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
)

// homeKey is a home's master key with the names that bind its sealed files.
type homeKey struct {
	abs string // the home's absolute path
	id  string // the home's ID ("" while a migration has not made one)
	mk  []byte // the master key
}

// sealedKinds are the sealed files a home may hold.
var sealedKinds = []sealedKind{identityFile, retiredFile}

// keyOf returns the master key of home abs from ks, first moving a home
// whose key is still kept under its path to its home ID. A home with no key
// gives an error wrapping ErrNotFound and is left as it was.
func keyOf(abs string, ks Keystore) (homeKey, error) {
	id, err := readHomeID(abs)
	if err != nil {
		return homeKey{}, err
	}
	if id != "" && !hasPathBound(abs) {
		mk, err := masterKey(AccountOf(id), ks)
		if err == nil {
			return homeKey{abs: abs, id: id, mk: mk}, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return homeKey{}, err
		}
	}
	return migrate(abs, id, ks)
}

// hasPathBound reports whether a sealed file of home abs is still of the
// version bound to the home's path.
func hasPathBound(abs string) bool {
	for _, k := range sealedKinds {
		if v, _, err := k.read(abs); err == nil && v == sealedVersionPath {
			return true
		}
	}
	return false
}

// migrate moves home abs from a master key kept under its path to one kept
// under its home ID (made here if id is ""), and reseals its files bound to
// the path so they are bound to the ID. In this order, so that a failure or
// a crash at any step leaves a home that opens: every path-bound file is
// opened first; the ID file is created; the key is copied and read back; the
// files are resealed; only then is the entry under the path deleted. A
// failure returns an error and keeps the entry under the path.
func migrate(abs, id string, ks Keystore) (homeKey, error) {
	h := homeKey{abs: abs, id: id}
	if id != "" { // an earlier migration may have copied the key already
		mk, err := masterKey(AccountOf(id), ks)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return homeKey{}, err
		}
		h.mk = mk
	}
	old := pathAccount(abs)
	fromPath := h.mk == nil
	if fromPath {
		mk, err := masterKey(old, ks)
		if err != nil {
			return homeKey{}, err
		}
		h.mk = mk
	}
	type resealing struct {
		k       sealedKind
		payload []byte
	}
	var todo []resealing
	for _, k := range sealedKinds {
		v, body, err := k.read(abs)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return homeKey{}, err
		}
		if v != sealedVersionPath {
			continue
		}
		payload, err := k.open(h, v, body)
		if err != nil {
			return homeKey{}, fmt.Errorf("%s: %w", k.name, err)
		}
		todo = append(todo, resealing{k, payload})
	}
	if fromPath && len(todo) == 0 {
		// A key under this path that opens nothing here is not proven to
		// be this home's: leave it alone.
		return homeKey{}, fmt.Errorf("master key for %s: %w", abs, ErrNotFound)
	}
	if h.id == "" {
		var err error
		if h.id, err = ensureHomeID(abs); err != nil {
			return homeKey{}, fmt.Errorf("key the home by an ID (nothing was changed in the keystore): %w", err)
		}
	}
	if err := copySecret(ks, h.mk, AccountOf(h.id)); err != nil {
		return homeKey{}, fmt.Errorf("copy the master key to the home's ID (the key kept under the home's path is untouched): %w", err)
	}
	for _, r := range todo {
		if err := r.k.write(h, r.payload); err != nil {
			return homeKey{}, fmt.Errorf("reseal %s for the home's ID (the key kept under the home's path is untouched): %w", r.k.name, err)
		}
	}
	if got, err := ks.Get(old); err == nil && bytes.Equal(got, h.mk) {
		if err := ks.Delete(old); err != nil {
			slog.Warn("the home now opens by its ID, but the old keystore entry under its path could not be deleted",
				"home", abs, "err", err)
		}
	}
	slog.Info("home keyed by its ID: it opens wherever it is moved", "home", abs, "keystore", ks.Kind())
	return h, nil
}
