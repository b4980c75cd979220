package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenTightensExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tincan.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode %o, want 600", got)
	}
}

func TestOpenPragmasOnEveryConnection(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	// Hold several connections at once so the pool really opens them.
	var conns []interface{ Close() error }
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < maxConns; i++ {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		var mode string
		var sync, fk, busy int
		if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || sync != 2 || fk != 1 || busy != 5000 {
			t.Errorf("conn %d: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d",
				i, mode, sync, fk, busy)
		}
	}
}

func TestOpenOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "we?ird #dir%20", "tin can.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	addContact(t, s, "bob")
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the given path: %v", err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	m := enqueue(t, s, c, "persist me")
	if _, _, err := s.SaveIncoming(ctx, Message{ContactID: c.ID, ID: randomID(), Body: "hi back"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "port", "7777"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.ContactByName(ctx, "alice")
	if err != nil || got.ID != c.ID || string(got.Fingerprint) != string(c.Fingerprint) {
		t.Fatalf("contact after reopen: %+v, %v", got, err)
	}
	out, err := s2.Outbox(ctx, c.ID)
	if err != nil || len(out) != 1 || out[0].ID != m.ID || out[0].Body != "persist me" {
		t.Fatalf("outbox after reopen: %+v, %v", out, err)
	}
	h, err := s2.History(ctx, c.ID, 0)
	if err != nil || len(h) != 2 {
		t.Fatalf("history after reopen: %+v, %v", h, err)
	}
	if v, err := s2.Setting(ctx, "port"); err != nil || v != "7777" {
		t.Fatalf("setting after reopen: %q, %v", v, err)
	}
}
