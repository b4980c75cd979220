package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// holdWrites takes the store's write lock, so writers queue up behind it,
// and returns the function that waits until n of them wait, then lets go.
func holdWrites(t *testing.T, s *Store) (release func(n int)) {
	t.Helper()
	s.writing <- struct{}{}
	q := s.groupQueue()
	return func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			q.mu.Lock()
			waiting := len(q.pending)
			q.mu.Unlock()
			if waiting >= n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("only %d of %d writers queued within 10 s", waiting, n)
			}
			time.Sleep(time.Millisecond)
		}
		<-s.writing
	}
}

// setGroupHook installs a hook for the test's duration.
func setGroupHook(t *testing.T, h func(int)) {
	groupHook = h
	t.Cleanup(func() { groupHook = nil })
}

func TestWritersWaitingTogetherShareOneCommit(t *testing.T) {
	s, _ := openTemp(t)
	c := addContact(t, s, "ana")
	var commits, writers atomic.Int64
	setGroupHook(t, func(n int) { commits.Add(1); writers.Add(int64(n)) })

	const n = 50
	release := holdWrites(t, s)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Batch(context.Background(), func(b *Batch) error {
				_, _, err := b.SaveIncoming(Message{ID: randomID(), ContactID: c.ID, Body: fmt.Sprint(i)})
				return err
			})
		})
	}
	release(n)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d failed: %v", i, err)
		}
	}
	if commits.Load() != 1 || writers.Load() != n {
		t.Fatalf("%d writers waiting together took %d commits for %d writers, want 1 commit for all", n, commits.Load(), writers.Load())
	}
	h, err := s.History(context.Background(), c.ID, 0)
	if err != nil || len(h) != n {
		t.Fatalf("history holds %d messages (%v), want %d", len(h), err, n)
	}
}

func TestFailedWriterIsUndoneAloneInItsGroup(t *testing.T) {
	s, _ := openTemp(t)
	c := addContact(t, s, "ana")
	var commits atomic.Int64
	setGroupHook(t, func(int) { commits.Add(1) })

	release := holdWrites(t, s)
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range 3 {
		wg.Go(func() {
			errs[i] = s.Batch(context.Background(), func(b *Batch) error {
				if _, _, err := b.SaveIncoming(Message{ID: randomID(), ContactID: c.ID, Body: fmt.Sprint("m", i)}); err != nil {
					return err
				}
				if i == 1 {
					return boom // after its insert: the insert must be undone
				}
				return nil
			})
		})
	}
	release(3)
	wg.Wait()
	if !errors.Is(errs[1], boom) || errs[0] != nil || errs[2] != nil {
		t.Fatalf("writers returned %v, want only the second to fail with its own error", errs)
	}
	h, err := s.History(context.Background(), c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := bodies(h)
	if len(got) != 2 || got[0] == "m1" || got[1] == "m1" {
		t.Fatalf("history is %q, want the two writers that succeeded and not m1", got)
	}
	if commits.Load() != 1 {
		t.Fatalf("the group took %d commits, want 1", commits.Load())
	}
}

// TestNoWriterReturnsBeforeItsCommit: at the moment a group's commit is done
// (and before anyone is told), no writer of the group has returned, and a
// separate connection already sees every message of the group.
func TestNoWriterReturnsBeforeItsCommit(t *testing.T) {
	s, path := openTemp(t)
	c := addContact(t, s, "ana")
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	var returned, committed atomic.Int64
	var hookErr error
	var mu sync.Mutex
	setGroupHook(t, func(n int) {
		mu.Lock()
		defer mu.Unlock()
		want := committed.Add(int64(n))
		if r := returned.Load(); r > want-int64(n) {
			hookErr = fmt.Errorf("%d writers had returned before the commit of the first %d", r, want)
		}
		h, err := other.History(context.Background(), c.ID, 0)
		if err != nil || int64(len(h)) != want {
			hookErr = fmt.Errorf("another connection sees %d messages (%v) right after %d were committed", len(h), err, want)
		}
	})
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.Batch(context.Background(), func(b *Batch) error {
				_, _, err := b.SaveIncoming(Message{ID: randomID(), ContactID: c.ID, Body: fmt.Sprint(i)})
				return err
			})
			if err != nil {
				t.Errorf("writer %d failed: %v", i, err)
			}
			returned.Add(1)
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if hookErr != nil {
		t.Fatal(hookErr)
	}
	if committed.Load() != n {
		t.Fatalf("%d of %d writers were committed", committed.Load(), n)
	}
}

func TestCancelledWaiterIsNeverRun(t *testing.T) {
	s, _ := openTemp(t)
	c := addContact(t, s, "ana")
	release := holdWrites(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- s.Batch(ctx, func(b *Batch) error {
			_, _, err := b.SaveIncoming(Message{ID: randomID(), ContactID: c.ID, Body: "late"})
			return err
		})
	}()
	q := s.groupQueue()
	deadline := time.Now().Add(10 * time.Second)
	for {
		q.mu.Lock()
		n := len(q.pending)
		q.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the writer never queued")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("a writer cancelled while waiting returned %v, want context.Canceled", err)
	}
	release(0)
	// A later writer leads a group; the cancelled one must not be in it.
	if err := s.Batch(context.Background(), func(b *Batch) error {
		_, _, err := b.SaveIncoming(Message{ID: randomID(), ContactID: c.ID, Body: "next"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(context.Background(), c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := bodies(h); len(got) != 1 || got[0] != "next" {
		t.Fatalf("history is %q, want only \"next\"", got)
	}
}

// A writer alone in its group (no savepoint) that fails gets its own error
// back and leaves nothing behind; the next writer commits as usual.
func TestLoneWriterErrorUndoesItsWork(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	ana := addContact(t, s, "ana")
	boom := errors.New("boom")
	err := s.groupTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET addr = 'changed:1' WHERE id = ?`, ana.ID); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("a lone writer's error came back as %v, want boom", err)
	}
	c, err := s.ContactByID(ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr == "changed:1" {
		t.Fatal("a lone writer's failed work was committed")
	}
	enqueue(t, s, ana, "after the failure")
	if ob, err := s.Outbox(ctx, ana.ID); err != nil || len(ob) != 1 {
		t.Fatalf("the writer after a failed one: outbox %d messages, %v; want 1", len(ob), err)
	}
}
