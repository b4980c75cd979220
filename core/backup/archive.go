package backup

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Entry names and what each may hold at most. A backup holds each at most
// once; the ones marked required must all be there.
const (
	entryMasterKey = "master-key"              // the home's master key
	entryHomeID    = "home-id"                 // the home-id file
	entryIdentity  = "identity.sealed"         // the sealed identity, as stored
	entryRetired   = "identity.retired.sealed" // retired keys, as stored (optional)
	entryToken     = "cloudflare-token"        // the stored Cloudflare API token (optional)
	entryDatabase  = "tincan.db"               // a consistent copy of the database
)

// maxDatabase bounds the database in a backup.
const maxDatabase = 16 << 30

var entryLimits = map[string]int64{
	entryMasterKey: 32,
	entryHomeID:    128,
	entryIdentity:  64 << 10,
	entryRetired:   1 << 20,
	entryToken:     256,
	entryDatabase:  maxDatabase,
}

var requiredEntries = []string{entryMasterKey, entryHomeID, entryIdentity, entryDatabase}

// Tags that start each record of the archive.
const (
	tagEnd   = 0
	tagEntry = 1
)

// maxName bounds an entry's name.
const maxName = 64

// writeEntry writes one record: tag u8 | name length u8 | name | size u64 | data.
func writeEntry(w io.Writer, name string, size int64, data io.Reader) error {
	if limit, ok := entryLimits[name]; !ok || size < 0 || size > limit {
		return fmt.Errorf("backup entry %s of %d bytes is not allowed", name, size)
	}
	rec := append([]byte{tagEntry, byte(len(name))}, name...)
	rec = binary.BigEndian.AppendUint64(rec, uint64(size))
	if _, err := w.Write(rec); err != nil {
		return err
	}
	n, err := io.CopyN(w, data, size)
	if err != nil {
		return fmt.Errorf("backup entry %s: %d of %d bytes: %w", name, n, size, err)
	}
	return nil
}

// writeEnd closes the archive.
func writeEnd(w io.Writer) error {
	_, err := w.Write([]byte{tagEnd})
	return err
}

// sink takes the entries of an archive as they are read; it must consume
// exactly size bytes of r.
type sink func(name string, size int64, r io.Reader) error

// readArchive reads records from r into take until the end record, checking
// every name, size and count; the archive must end right after it.
func readArchive(r io.Reader, take sink) error {
	br := bufio.NewReader(r)
	seen := map[string]bool{}
	for {
		tag, err := br.ReadByte()
		if err != nil {
			return damaged(err)
		}
		if tag == tagEnd {
			break
		}
		if tag != tagEntry {
			return fmt.Errorf("%w: unknown record %d", ErrBadBackup, tag)
		}
		n, err := br.ReadByte()
		if err != nil {
			return damaged(err)
		}
		if n == 0 || n > maxName {
			return fmt.Errorf("%w: a name of %d bytes", ErrBadBackup, n)
		}
		var fixed [maxName + 8]byte
		if _, err := io.ReadFull(br, fixed[:int(n)+8]); err != nil {
			return damaged(err)
		}
		name := string(fixed[:n])
		size := binary.BigEndian.Uint64(fixed[n:])
		limit, ok := entryLimits[name]
		if !ok {
			return fmt.Errorf("%w: unknown entry %q (made by a newer tincan?)", ErrBadBackup, name)
		}
		if seen[name] {
			return fmt.Errorf("%w: entry %s twice", ErrBadBackup, name)
		}
		seen[name] = true
		if size > uint64(limit) {
			return fmt.Errorf("%w: entry %s of %d bytes, at most %d", ErrBadBackup, name, size, limit)
		}
		lr := &io.LimitedReader{R: br, N: int64(size)}
		if err := take(name, int64(size), lr); err != nil {
			return err
		}
		if lr.N != 0 {
			return fmt.Errorf("%w: entry %s cut short", ErrBadBackup, name)
		}
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		if err != nil {
			return damaged(err)
		}
		return fmt.Errorf("%w: data after the end", ErrBadBackup)
	}
	for _, name := range requiredEntries {
		if !seen[name] {
			return fmt.Errorf("%w: no %s in it", ErrBadBackup, name)
		}
	}
	return nil
}

// damaged maps a read error inside the archive: authentication failures and
// early ends are ErrBadBackup; others (the disk) are kept.
func damaged(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: it ends early", ErrBadBackup)
	}
	return err
}
