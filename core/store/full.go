package store

import (
	"errors"
	"syscall"

	sqlite3 "modernc.org/sqlite/lib"
)

// IsDiskFull reports whether err says the disk holding the database is full
// (SQLite's SQLITE_FULL, or ENOSPC from the file system): the write it
// belongs to was rolled back and nothing of it was committed.
func IsDiskFull(err error) bool {
	return sqliteCode(err)&0xff == sqlite3.SQLITE_FULL || errors.Is(err, syscall.ENOSPC)
}
