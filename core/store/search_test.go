package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestHistoryPages(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	ana := addContact(t, s, "ana")
	bo := addContact(t, s, "bo")
	var all []Message
	for i := range 25 {
		all = append(all, enqueue(t, s, ana, fmt.Sprintf("m%02d", i)))
		enqueue(t, s, bo, fmt.Sprintf("bo %d", i))
	}
	want := bodies(all)

	page, err := s.HistoryBefore(ctx, ana.ID, all[20].ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := bodies(page); !slices.Equal(got, want[10:20]) {
		t.Errorf("the page before m20 is %q, want %q", got, want[10:20])
	}
	page, _ = s.HistoryBefore(ctx, ana.ID, all[3].ID, 10)
	if got := bodies(page); !slices.Equal(got, want[:3]) {
		t.Errorf("the page before m03 is %q, want the first three", got)
	}
	page, _ = s.HistoryBefore(ctx, ana.ID, all[0].ID, 10)
	if len(page) != 0 {
		t.Errorf("the page before the first message holds %q, want nothing", bodies(page))
	}
	page, _ = s.HistoryAfter(ctx, ana.ID, all[20].ID, 10)
	if got := bodies(page); !slices.Equal(got, want[21:]) {
		t.Errorf("the page after m20 is %q, want %q", got, want[21:])
	}
	if _, err := s.HistoryBefore(ctx, bo.ID, all[5].ID, 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("paging Bo's history from Ana's message gave %v, want ErrNotFound", err)
	}
	if _, err := s.HistoryAfter(ctx, 999, all[5].ID, 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("paging an unknown contact gave %v, want ErrNotFound", err)
	}
}

func TestLastMessages(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	ana := addContact(t, s, "ana")
	bo := addContact(t, s, "bo")
	cy := addContact(t, s, "cy")
	enqueue(t, s, ana, "first")
	enqueue(t, s, bo, "to bo")
	if _, _, err := s.SaveIncoming(ctx, Message{ContactID: ana.ID, ID: randomID(), Body: "last from ana"}); err != nil {
		t.Fatal(err)
	}
	last, err := s.LastMessages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if last[ana.ID].Body != "last from ana" || last[bo.ID].Body != "to bo" {
		t.Errorf("last messages: ana %q, bo %q", last[ana.ID].Body, last[bo.ID].Body)
	}
	if _, ok := last[cy.ID]; ok || len(last) != 2 {
		t.Errorf("a contact with no messages has a last message: %+v", last)
	}
}

func TestSearch(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	ana := addContact(t, s, "ana")
	bo := addContact(t, s, "bo")
	enqueue(t, s, ana, "Let's meet at the Café tomorrow")
	enqueue(t, s, bo, "the cafe was closed")
	enqueue(t, s, bo, "nothing here")
	if _, err := s.AddCallRecord(ctx, bo.ID, true, "Missed cafe call", time.Now(), true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"cafe", []string{"the cafe was closed", "Let's meet at the Café tomorrow"}},
		{"CAF", []string{"the cafe was closed", "Let's meet at the Café tomorrow"}},
		{"cafe tomorrow", []string{"Let's meet at the Café tomorrow"}},
		{`"cafe" OR nothing`, nil}, // quotes and operators are words, not syntax
		{"  *** ", nil},
		{"zebra", nil},
	} {
		got, err := s.Search(ctx, tc.q, 50)
		if err != nil {
			t.Fatalf("search %q: %v", tc.q, err)
		}
		if !slices.Equal(bodies(got), tc.want) {
			t.Errorf("search %q found %q, want %q", tc.q, bodies(got), tc.want)
		}
	}
	if err := s.RemoveContact(ctx, "bo"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Search(ctx, "cafe", 50)
	if len(got) != 1 || got[0].ContactID != ana.ID {
		t.Errorf("after removing Bo, search finds %q", bodies(got))
	}
}

// A home written before search existed gets its messages indexed when it
// opens.
func TestSearchIndexesOldMessages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tincan.db")
	saved := migrations
	migrations = saved[:4]
	s, err := Open(path)
	if err != nil {
		migrations = saved
		t.Fatal(err)
	}
	ana := addContact(t, s, "ana")
	enqueue(t, s, ana, "an old message about penguins")
	s.Close()
	migrations = saved

	s, err = Open(path)
	if err != nil {
		t.Fatalf("a version 4 home does not open: %v", err)
	}
	defer s.Close()
	got, err := s.Search(context.Background(), "penguin", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Body != "an old message about penguins" {
		t.Errorf("search of an old home's message found %q", bodies(got))
	}
}

// Whatever the user types, the search runs: nothing reaches FTS5's query
// syntax unquoted, and every hit holds each word typed (ignoring case).
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{"cafe", `"x" OR y`, "NEAR(a b)", "a*", "^start", "col:word", "ÉTÉ été", "-minus", "\x00\xff"} {
		f.Add(seed)
	}
	s, err := Open(filepath.Join(f.TempDir(), "tincan.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	ctx := context.Background()
	c, err := s.AddContact(ctx, newContact("ana"))
	if err != nil {
		f.Fatal(err)
	}
	for _, b := range []string{"the cafe is open", "NEAR the start", "minus one"} {
		if _, err := s.Enqueue(ctx, Message{ContactID: c.ID, Body: b}); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, q string) {
		hits, err := s.Search(ctx, q, 10)
		if err != nil {
			t.Fatalf("search %q failed: %v", q, err)
		}
		if len(hits) > 3 {
			t.Fatalf("search %q found %d messages of 3", q, len(hits))
		}
		if matchExpr(q) == "" && len(hits) != 0 {
			t.Fatalf("search %q has no words but found %q", q, bodies(hits))
		}
	})
}
