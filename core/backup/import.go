package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"tincan/core/discovery"
	"tincan/core/identity"
	"tincan/core/store"
)

// ErrHasIdentity means the home to restore into already has an identity.
var ErrHasIdentity = errors.New("this home already has an identity; restore into a new, empty home (another --home), or move this one away first")

// maxBackupFile bounds the file Import reads: the entries' limits plus
// headers and chunk tags.
const maxBackupFile = maxDatabase + 4<<20 + (maxDatabase/minChunk)*16

// Import restores the backup in file into home, keeping the master key in
// ks. home must have no identity and no database. Nothing in home or ks
// changes unless the whole file was authenticated with passphrase and what
// it holds opens: the entries are written to a temporary directory inside
// home and renamed into place at the end.
func Import(ctx context.Context, file string, passphrase []byte, home string, ks identity.Keystore, progress Progress) (err error) {
	abs, err := filepath.Abs(home)
	if err != nil {
		return fmt.Errorf("home %s: %w", home, err)
	}
	if err := checkEmpty(abs); err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("open the backup: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open the backup: %w", err)
	}
	if fi.Size() > maxBackupFile {
		return fmt.Errorf("%w: it is larger than any backup can be", ErrBadBackup)
	}
	hdr := make([]byte, headerLen)
	n, err := io.ReadFull(f, hdr)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read the backup: %w", err)
	}
	h, err := parseHeader(hdr[:n])
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", abs, err)
		}
		defer func() {
			if err != nil {
				_ = os.Remove(abs) // only if still empty
			}
		}()
	}
	tmp, err := os.MkdirTemp(abs, ".import-*")
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	key := deriveKey(passphrase, h)
	or, err := newOpenReader(&counter{w: nil, total: fi.Size(), progress: progress, ctx: ctx, r: f, done: int64(n)}, key, h)
	if err != nil {
		return err
	}
	got, err := unpack(or, tmp)
	if err != nil {
		return err
	}
	if err := verify(tmp, got); err != nil {
		return err
	}
	return install(abs, tmp, ks, got)
}

// checkEmpty refuses a home that has an identity or a database.
func checkEmpty(abs string) error {
	for _, name := range []string{identity.SealedFileName, entryDatabase} {
		if _, err := os.Lstat(filepath.Join(abs, name)); err == nil {
			return ErrHasIdentity
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// unpacked is what a backup held besides the files written to tmp.
type unpacked struct {
	mk    []byte
	id    string
	token string
	files []string // entry names written to tmp
}

// unpack reads the archive, keeping secrets in memory and files in tmp.
func unpack(r io.Reader, tmp string) (*unpacked, error) {
	u := &unpacked{}
	err := readArchive(r, func(name string, size int64, r io.Reader) error {
		switch name {
		case entryMasterKey, entryToken:
			b, err := io.ReadAll(r)
			if err != nil {
				return damaged(err)
			}
			if name == entryMasterKey {
				u.mk = b
			} else {
				u.token = string(b)
			}
			return nil
		}
		f, err := os.OpenFile(filepath.Join(tmp, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return damaged(err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		u.files = append(u.files, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(tmp, entryHomeID))
	if err != nil {
		return nil, err
	}
	u.id = strings.TrimSuffix(string(b), "\n")
	return u, nil
}

// verify opens what was unpacked as a home would be opened: the identity
// and retired keys with the backup's key, and the database (migrating it).
func verify(tmp string, u *unpacked) error {
	ks := memKeystore{identity.AccountOf(u.id): u.mk}
	if _, err := identity.Load(tmp, ks); err != nil {
		return fmt.Errorf("the backup's identity does not open: %w", err)
	}
	if _, err := identity.LoadRetired(tmp, ks); err != nil {
		return fmt.Errorf("the backup's retired keys do not open: %w", err)
	}
	st, err := store.Open(filepath.Join(tmp, entryDatabase))
	if err != nil {
		if errors.Is(err, store.ErrSchemaTooNew) {
			return ErrNewerBackup
		}
		return fmt.Errorf("the backup's database does not open: %w", err)
	}
	if err := st.Close(); err != nil {
		return err
	}
	if u.token != "" {
		if _, err := discovery.CheckToken(u.token); err != nil {
			return fmt.Errorf("%w: %w", ErrBadBackup, err)
		}
	}
	return nil
}

// install stores the keys in ks and renames the files into home, the
// identity last (its presence is what makes a home have one). On failure it
// undoes what it did.
func install(abs, tmp string, ks identity.Keystore, u *unpacked) (err error) {
	if err := checkEmpty(abs); err != nil {
		return err
	}
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	created, err := identity.RestoreMasterKey(ks, u.id, u.mk)
	if err != nil {
		return fmt.Errorf("store the key in the %s keystore: %w", ks.Kind(), err)
	}
	if created {
		undo = append(undo, func() { _ = ks.Delete(identity.AccountOf(u.id)) })
	}
	if u.token != "" {
		acct, err := discovery.TokenAccount(tmp) // named by the backup's home ID
		if err != nil {
			return err
		}
		if _, err := ks.Get(acct); errors.Is(err, identity.ErrNotFound) {
			undo = append(undo, func() { _ = ks.Delete(acct) })
		}
		if err := discovery.SaveToken(ks, acct, u.token); err != nil {
			return err
		}
	}
	oldID, _ := os.ReadFile(filepath.Join(abs, entryHomeID))
	order := []string{entryDatabase + "-wal", entryDatabase + "-shm", entryDatabase, entryRetired, entryHomeID, entryIdentity}
	for _, name := range []string{entryDatabase + "-wal", entryDatabase + "-shm"} {
		_ = os.Remove(filepath.Join(abs, name)) // stale, of no database
	}
	for _, name := range order {
		src, dst := filepath.Join(tmp, name), filepath.Join(abs, name)
		if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := os.Rename(src, dst); err != nil {
			return fmt.Errorf("restore %s: %w", name, err)
		}
		if name == entryHomeID && oldID != nil {
			undo = append(undo, func() { _ = os.WriteFile(dst, oldID, 0o600) })
		} else {
			undo = append(undo, func() { _ = os.Remove(dst) })
		}
	}
	return nil
}

// memKeystore holds secrets in memory, to open an unpacked backup.
type memKeystore map[string][]byte

func (m memKeystore) Get(acct string) ([]byte, error) {
	if s, ok := m[acct]; ok {
		return s, nil
	}
	return nil, identity.ErrNotFound
}
func (m memKeystore) Set(acct string, s []byte) error { m[acct] = s; return nil }
func (m memKeystore) Delete(acct string) error        { delete(m, acct); return nil }
func (memKeystore) Kind() string                      { return "memory" }
