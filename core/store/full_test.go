package store

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
)

// A database that cannot grow fails with SQLite's "database or disk is
// full", which IsDiskFull must recognise, wrapped as the store wraps it.
func TestIsDiskFullRecognisesSQLiteFull(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the page limit is per connection
	for _, q := range []string{`PRAGMA max_page_count = 8`, `CREATE TABLE t (b BLOB)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var full error
	for i := 0; i < 100 && full == nil; i++ {
		_, full = db.Exec(`INSERT INTO t VALUES (zeroblob(4000))`)
	}
	if full == nil {
		t.Fatal("100 inserts of 4 KB fitted in 8 pages: the database never filled")
	}
	wrapped := fmt.Errorf("enqueue for contact 1: commit: %w", full)
	if !IsDiskFull(wrapped) {
		t.Errorf("IsDiskFull(%q) is false, want true", wrapped)
	}
}

func TestIsDiskFullRecognisesENOSPCAndNothingElse(t *testing.T) {
	enospc := &fs.PathError{Op: "write", Path: "tincan.db-wal", Err: syscall.ENOSPC}
	if !IsDiskFull(fmt.Errorf("commit: %w", enospc)) {
		t.Error("an ENOSPC write error is not recognised as a full disk")
	}
	for _, err := range []error{nil, errors.New("database or disk is full"), ErrNotFound, fmt.Errorf("x: %w", syscall.EIO)} {
		if IsDiskFull(err) {
			t.Errorf("IsDiskFull(%v) is true for an error that is not a full disk", err)
		}
	}
}
