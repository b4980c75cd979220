package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"modernc.org/sqlite" // also registers the "sqlite" driver
)

// maxConns bounds the pool. WAL lets readers run beside the one writer, so
// more than one connection only adds concurrent readers.
const maxConns = 4

// useFdatasync switches the SQLite library to fdatasync once per process.
var useFdatasync sync.Once

// Store is the SQLite database of one tincan home.
//
// Writers in this process queue on writing, a lock of one, rather than
// polling SQLite's write lock with busy_timeout back-off; busy_timeout is
// left for writers in other processes.
type Store struct {
	db      *sql.DB
	writing chan struct{}
	stmts   sync.Map // query -> *sql.Stmt kept for the store's lifetime (stmts.go)

	wrote     chan struct{} // cap 1: a commit happened (wakes the indexer, see fts.go)
	stopIndex chan struct{} // closed by Close
	indexDone chan struct{} // closed when the indexer has stopped
}

// Open opens (creating if needed) the database at path, owner-only, in WAL
// mode, and applies pending migrations.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := prepareFile(abs); err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)

	useFdatasync.Do(func() {
		// Commit with fdatasync(2) where there is one, as SQLite's own
		// builds for Linux do: the same durability without the timestamp
		// update fsync(2) pushes through the file system's journal.
		sqlite.Fdatasync(true)
	})
	s := &Store{db: db, writing: make(chan struct{}, 1)}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	s.prepareKept(context.Background())
	// SQLite gives the -wal and -shm files the database file's mode; make
	// sure of it whatever created them.
	for _, p := range []string{abs + "-wal", abs + "-shm"} {
		if err := ownerOnly(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			db.Close()
			return nil, fmt.Errorf("open store %s: %w", abs, err)
		}
	}
	s.wrote, s.stopIndex, s.indexDone = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go s.indexLoop(s.stopIndex)
	return s, nil
}

// Close stops the search indexer and closes the database.
func (s *Store) Close() error {
	select {
	case <-s.stopIndex:
	default:
		close(s.stopIndex)
	}
	<-s.indexDone
	s.closeStmts()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// prepareFile creates the parent directory (0700) and the database file
// (0600) if missing, and makes the file owner-only whatever the umask.
func prepareFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

// dsn builds the driver URI for path. Every pooled connection applies these
// pragmas when it opens; foreign_keys, synchronous and busy_timeout are
// per-connection settings.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: uriPath(path), RawQuery: q.Encode()}
	return u.String()
}
