package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// holdIndexer keeps the background indexer from running during the test
// (set before Open; the stores must be closed before the test ends).
func holdIndexer(t *testing.T) {
	q, l := indexQuiet, indexMaxLag
	indexQuiet, indexMaxLag = time.Hour, time.Hour
	t.Cleanup(func() { indexQuiet, indexMaxLag = q, l })
}

// indexMark reads the highest seq in the search index.
func indexMark(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(`SELECT indexed FROM fts_progress`).Scan(&n); err != nil {
		t.Fatalf("read the index mark: %v", err)
	}
	return n
}

// checkIndexSound runs FTS5's own integrity check of the index against the
// messages table (every message must be indexed by then).
func checkIndexSound(t *testing.T, db *sql.DB) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("the search index does not match the messages: %v", err)
	}
}

// A commit that stores a message does not index it (that work left the
// delivery path); a search still finds it, indexing first.
func TestCommitLeavesIndexingToLater(t *testing.T) {
	holdIndexer(t)
	s, _ := openTemp(t)
	defer s.Close()
	ana := addContact(t, s, "ana")
	m := enqueue(t, s, ana, "penguins on the ice")
	if mark := indexMark(t, s.db); mark >= m.Seq {
		t.Fatalf("the commit indexed the message (mark %d, seq %d)", mark, m.Seq)
	}
	got, err := s.Search(context.Background(), "penguin", 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(bodies(got), []string{"penguins on the ice"}) {
		t.Errorf("search before the indexer ran found %q", bodies(got))
	}
	if mark := indexMark(t, s.db); mark != m.Seq {
		t.Errorf("after the search the mark is %d, want %d", mark, m.Seq)
	}
	checkIndexSound(t, s.db)
}

// Without any search, the indexer catches up soon after the writes stop.
func TestIndexerCatchesUpUnasked(t *testing.T) {
	s, _ := openTemp(t)
	ana := addContact(t, s, "ana")
	var last Message
	for i := range 30 {
		last = enqueue(t, s, ana, "message number "+string(rune('a'+i%26)))
	}
	deadline := time.Now().Add(30 * time.Second)
	for indexMark(t, s.db) != last.Seq {
		if time.Now().After(deadline) {
			t.Fatalf("the indexer did not reach seq %d in 30 s (mark %d)", last.Seq, indexMark(t, s.db))
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkIndexSound(t, s.db)
}

// Deleting messages on both sides of the mark (removing a contact) leaves
// the index sound: only indexed rows are taken out of it.
func TestDeletesAcrossTheMarkKeepTheIndexSound(t *testing.T) {
	holdIndexer(t)
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	ana, bo := addContact(t, s, "ana"), addContact(t, s, "bo")
	enqueue(t, s, ana, "apples from ana")
	enqueue(t, s, bo, "apples from bo, indexed")
	if err := s.catchUpIndex(ctx); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, bo, "apples from bo, not indexed")
	enqueue(t, s, ana, "more apples from ana")
	if err := s.RemoveContact(ctx, "bo"); err != nil {
		t.Fatal(err)
	}
	// (The check compares the index with every message, so it runs
	// once the index has caught up: a 'delete' of a row never indexed
	// would show here as a mismatch.)
	if err := s.catchUpIndex(ctx); err != nil {
		t.Fatal(err)
	}
	checkIndexSound(t, s.db)
	got, err := s.Search(ctx, "apples", 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"more apples from ana", "apples from ana"}; !slices.Equal(bodies(got), want) {
		t.Errorf("after removing Bo, search finds %q, want %q", bodies(got), want)
	}
	checkIndexSound(t, s.db)
}

// A home indexed by migration 5's triggers keeps its index: the mark starts
// at its last message, and new messages are added after it.
func TestUpgradeFromTriggerIndex(t *testing.T) {
	holdIndexer(t)
	path := filepath.Join(t.TempDir(), "tincan.db")
	saved := migrations
	migrations = saved[:5]
	s, err := Open(path)
	if err != nil {
		migrations = saved
		t.Fatal(err)
	}
	ana := addContact(t, s, "ana")
	old := enqueue(t, s, ana, "an indexed walrus")
	s.Close()
	migrations = saved

	s, err = Open(path)
	if err != nil {
		t.Fatalf("a version 5 home does not open: %v", err)
	}
	defer s.Close()
	if mark := indexMark(t, s.db); mark != old.Seq {
		t.Errorf("the mark after the upgrade is %d, want %d (everything the triggers indexed)", mark, old.Seq)
	}
	enqueue(t, s, ana, "a new walrus")
	got, err := s.Search(context.Background(), "walrus", 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a new walrus", "an indexed walrus"}; !slices.Equal(bodies(got), want) {
		t.Errorf("search after the upgrade found %q, want %q", bodies(got), want)
	}
	checkIndexSound(t, s.db)
}
