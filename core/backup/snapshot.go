package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" driver, as core/store uses it
)

// sqliteDSN opens path with a busy timeout and no other change to it.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	u := url.URL{Scheme: "file", Path: uriPath(path), RawQuery: q.Encode()}
	return u.String()
}

// snapshotDB copies the database at src to dst with VACUUM INTO, which
// reads it in one transaction: the copy is consistent even while a running
// node writes. It reports whether the copy holds a rotation in progress.
func snapshotDB(ctx context.Context, src, dst string) (rotating bool, err error) {
	if _, err := os.Stat(src); err != nil {
		return false, fmt.Errorf("the home's database: %w", err)
	}
	db, err := sql.Open("sqlite", sqliteDSN(src))
	if err != nil {
		return false, fmt.Errorf("open %s: %w", src, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return false, fmt.Errorf("copy the database: %w", err)
	}
	if err := db.Close(); err != nil {
		return false, fmt.Errorf("close %s: %w", src, err)
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		return false, err
	}
	cp, err := sql.Open("sqlite", sqliteDSN(dst))
	if err != nil {
		return false, fmt.Errorf("open the copy: %w", err)
	}
	defer cp.Close()
	var n int
	err = cp.QueryRowContext(ctx, `SELECT count(*) FROM rotation`).Scan(&n)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return false, nil // a schema from before rotation
	}
	if err != nil {
		return false, fmt.Errorf("read the copy: %w", err)
	}
	if err := cp.Close(); err != nil && !errors.Is(err, sql.ErrConnDone) {
		return false, fmt.Errorf("close the copy: %w", err)
	}
	return n > 0, nil
}
