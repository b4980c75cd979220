package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readTx runs fn in a read-only (deferred) transaction: one consistent
// snapshot that takes no write lock.
func (s *Store) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.inTx(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

// writeTx runs fn in a write transaction, one at a time in this process.
// The transaction takes SQLite's write lock at BEGIN IMMEDIATE (see dsn), so
// it never fails to upgrade a read lock.
func (s *Store) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case s.writing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writing }()
	return s.inTx(ctx, nil, fn)
}

// exec runs one writing statement through writeTx.
func (s *Store) exec(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// inTx runs fn in a transaction, committing if fn succeeds.
func (s *Store) inTx(ctx context.Context, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// requireContact returns ErrNotFound unless the contact exists, asking in
// tx with the kept statement.
func (s *Store) requireContact(ctx context.Context, tx *sql.Tx, id int64) error {
	st, err := s.txStmt(ctx, tx, qContactExists)
	if err != nil {
		return fmt.Errorf("contact %d: %w", id, err)
	}
	var one int
	err = st.QueryRowContext(ctx, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("contact %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("contact %d: %w", id, err)
	}
	return nil
}

// sqliteCode returns the extended result code of a SQLite error, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// isUnique reports whether err is a UNIQUE violation on table.column.
func isUnique(err error, column string) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE &&
		strings.Contains(err.Error(), column)
}

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// Times are stored as UTC Unix nanoseconds; the zero time is stored as 0.
var (
	minTime = time.Unix(0, math.MinInt64+1)
	maxTime = time.Unix(0, math.MaxInt64)
)

// toNanos encodes t, clamping times UnixNano cannot represent.
func toNanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Before(minTime):
		return minTime.UnixNano()
	case t.After(maxTime):
		return maxTime.UnixNano()
	}
	return t.UnixNano()
}

// fromNanos decodes what toNanos stored, in UTC.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Queries run in transactions, prepared once (see keep in stmts.go).
var (
	qContactExists = keep(`SELECT 1 FROM contacts WHERE id = ?`)
)
