package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestMigrateFromEmpty(t *testing.T) {
	s, _ := openTemp(t)
	if v := userVersion(t, s.db); v != len(migrations) {
		t.Fatalf("user_version %d, want %d", v, len(migrations))
	}
	for _, tbl := range []string{"contacts", "messages", "outbox", "settings"} {
		if !tableExists(t, s.db, tbl) {
			t.Errorf("table %s missing", tbl)
		}
	}
}

func TestReopenIsIdempotent(t *testing.T) {
	s, path := openTemp(t)
	addContact(t, s, "alice")
	s.Close()
	for i := 0; i < 2; i++ {
		s2, err := Open(path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if v := userVersion(t, s2.db); v != len(migrations) {
			t.Errorf("user_version %d after reopen", v)
		}
		cs, err := s2.Contacts(context.Background())
		if err != nil || len(cs) != 1 {
			t.Errorf("contacts after reopen: %v, %v", cs, err)
		}
		s2.Close()
	}
}

func TestSchemaTooNew(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.db.Exec(`PRAGMA user_version = 999`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(path)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer database: %v, want ErrSchemaTooNew", err)
	}
}

// A failing step rolls back whole and leaves the version where it was.
func TestFailedMigrationRollsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tincan.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	saved := migrations
	defer func() { migrations = saved }()
	migrations = append(append([][]string{}, saved...),
		[]string{`CREATE TABLE half (a)`, `THIS IS NOT SQL`})
	if _, err := Open(path); err == nil {
		t.Fatal("Open with a broken migration succeeded")
	}
	migrations = saved

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := userVersion(t, s.db); v != len(saved) {
		t.Errorf("user_version %d, want %d", v, len(saved))
	}
	if tableExists(t, s.db, "half") {
		t.Error("table of the failed step survived")
	}
}

// Steps added later apply in order on an existing database.
func TestMigrateAppliesNewSteps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tincan.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	saved := migrations
	defer func() { migrations = saved }()
	migrations = append(append([][]string{}, saved...),
		[]string{`CREATE TABLE extra (a)`},
		[]string{`ALTER TABLE extra ADD COLUMN b`})
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := userVersion(t, s.db); v != len(saved)+2 {
		t.Errorf("user_version %d, want %d", v, len(saved)+2)
	}
	if _, err := s.db.Exec(`INSERT INTO extra (a, b) VALUES (1, 2)`); err != nil {
		t.Errorf("second new step not applied: %v", err)
	}
}
