//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOpenCreatesOwnerOnlyFiles(t *testing.T) {
	old := syscall.Umask(0) // permissions must not depend on the umask
	defer syscall.Umask(old)

	s, path := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	enqueue(t, s, c, "hello") // makes sure the WAL has content

	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if got := dir.Mode().Perm(); got != 0o700 {
		t.Errorf("parent dir mode %o, want 700", got)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("stat %s: %v", p, err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode %o, want 600", filepath.Base(p), got)
		}
	}
	if _, err := s.Outbox(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
}
