package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"tincan/core/discovery"
	"tincan/core/identity"
)

// MinPassphrase is the fewest characters a backup passphrase may have.
const MinPassphrase = 8

// ErrShortPassphrase means a passphrase chosen for a backup is too short.
var ErrShortPassphrase = fmt.Errorf("the passphrase must have at least %d characters", MinPassphrase)

// ErrNothingToExport means the home has no identity to back up.
var ErrNothingToExport = errors.New("this home has no identity to back up yet")

// ErrBusy means a rotation kept changing the home while it was copied.
var ErrBusy = errors.New("the identity kept changing while it was copied (a card rotation?); try again in a moment")

// Progress is told how many bytes of how many are done; it may be nil.
type Progress func(done, total int64)

// snapshotTries bounds how often Export copies again after a rotation.
const snapshotTries = 5

// Export writes a backup of home to file, encrypted with passphrase under
// Argon2id with params (DefaultParams for real backups). The home's node
// may be running: the database is copied in one read transaction, and the
// identity files, read before and after, must not have changed meanwhile.
// file is written whole or not at all.
func Export(ctx context.Context, home string, ks identity.Keystore, file string, passphrase []byte, params Params, progress Progress) error {
	if utf8.RuneCount(passphrase) < MinPassphrase {
		return ErrShortPassphrase
	}
	abs, err := filepath.Abs(home)
	if err != nil {
		return fmt.Errorf("home %s: %w", home, err)
	}
	if _, err := os.Stat(filepath.Join(abs, identity.SealedFileName)); errors.Is(err, fs.ErrNotExist) {
		return ErrNothingToExport
	}
	mk, err := identity.MasterKey(abs, ks) // also moves an old home to its ID
	if err != nil {
		return fmt.Errorf("the home's key: %w", err)
	}
	id, err := identity.HomeID(abs)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(abs, ".export-*") // owner-only, inside the home
	if err != nil {
		return fmt.Errorf("temporary copy: %w", err)
	}
	defer os.RemoveAll(tmp)
	db := filepath.Join(tmp, entryDatabase)
	files, err := snapshot(ctx, abs, db)
	if err != nil {
		return err
	}
	small := []blob{{entryMasterKey, mk}, {entryHomeID, []byte(id + "\n")}, {entryIdentity, files[entryIdentity]}}
	if r := files[entryRetired]; r != nil {
		small = append(small, blob{entryRetired, r})
	}
	if tok, err := storedToken(ks, abs); err != nil {
		return err
	} else if tok != "" {
		small = append(small, blob{entryToken, []byte(tok)})
	}
	fi, err := os.Stat(db)
	if err != nil {
		return err
	}
	total := fi.Size()
	for _, s := range small {
		total += int64(len(s.data))
	}
	h, err := newHeader(params)
	if err != nil {
		return err
	}
	key := deriveKey(passphrase, h)
	return writeAtomic(file, func(w io.Writer) error {
		sw, err := newSealWriter(w, key, h)
		if err != nil {
			return err
		}
		cw := &counter{w: sw, total: total, progress: progress, ctx: ctx}
		for _, s := range small {
			if err := writeEntry(cw, s.name, int64(len(s.data)), bytes.NewReader(s.data)); err != nil {
				return err
			}
		}
		f, err := os.Open(db)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := writeEntry(cw, entryDatabase, fi.Size(), f); err != nil {
			return err
		}
		if err := writeEnd(cw); err != nil {
			return err
		}
		return sw.Close()
	})
}

// blob is a small entry held in memory.
type blob struct {
	name string
	data []byte
}

// snapshot copies the database to db and returns the identity files, read
// before and after the copy; it copies again while they differ or the copy
// holds a rotation in progress.
func snapshot(ctx context.Context, abs, db string) (map[string][]byte, error) {
	for range snapshotTries {
		before, err := readIdentityFiles(abs)
		if err != nil {
			return nil, err
		}
		_ = os.Remove(db)
		rotating, err := snapshotDB(ctx, filepath.Join(abs, entryDatabase), db)
		if err != nil {
			return nil, err
		}
		after, err := readIdentityFiles(abs)
		if err != nil {
			return nil, err
		}
		if !rotating && bytes.Equal(before[entryIdentity], after[entryIdentity]) &&
			bytes.Equal(before[entryRetired], after[entryRetired]) {
			return after, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return nil, ErrBusy
}

// readIdentityFiles reads the sealed files as stored; a missing retired-key
// file is left out.
func readIdentityFiles(abs string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, name := range []string{entryIdentity, entryRetired} {
		b, err := readLimited(filepath.Join(abs, name), entryLimits[name])
		if errors.Is(err, fs.ErrNotExist) && name == entryRetired {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[name] = b
	}
	return out, nil
}

// storedToken returns the Cloudflare token kept for home, or "".
func storedToken(ks identity.Keystore, abs string) (string, error) {
	if err := discovery.MigrateToken(ks, abs); err != nil {
		return "", err
	}
	acct, err := discovery.TokenAccount(abs)
	if err != nil {
		return "", err
	}
	tok, err := discovery.LoadToken(ks, acct)
	if errors.Is(err, discovery.ErrNoToken) {
		return "", nil
	}
	return tok, err
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

// writeAtomic writes file (owner-only) through fill: a temporary file beside
// it, synced, then renamed over it; on failure nothing is left.
func writeAtomic(file string, fill func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err = fill(f); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err = os.Rename(f.Name(), file); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return nil
}

// counter passes writes (to w) or reads (from r) on, reports progress and
// stops when ctx ends.
type counter struct {
	w        io.Writer
	r        io.Reader
	done     int64
	total    int64
	progress Progress
	ctx      context.Context
}

func (c *counter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.w.Write(p)
	c.done += int64(n)
	if c.progress != nil {
		c.progress(min(c.done, c.total), c.total)
	}
	return n, err
}

func (c *counter) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.done += int64(n)
	if c.progress != nil {
		c.progress(min(c.done, c.total), c.total)
	}
	return n, err
}
