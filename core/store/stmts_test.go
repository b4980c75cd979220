package store

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Many readers and writers at once, more than the pool has connections,
// each inside a transaction that runs kept statements: none may wait for a
// second connection (which deadlocked the pool once).
func TestKeptStatementsUnderAFullPool(t *testing.T) {
	s, _ := openTemp(t)
	ana := addContact(t, s, "ana")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Go(func() {
			if _, err := s.Enqueue(ctx, Message{ContactID: ana.ID, Body: "hello"}); err != nil {
				errs <- err
				return
			}
			if _, err := s.Outbox(ctx, ana.ID); err != nil {
				errs <- err
			}
			if _, err := s.OutboxAfter(ctx, ana.ID, int64(i), 3); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a reader or writer failed (a deadlock shows as a deadline): %v", err)
	}
}

// OutboxAfter returns the queued messages past a seq, at most limit, in
// order, and never a delivered one.
func TestOutboxAfter(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	ana := addContact(t, s, "ana")
	var ms []Message
	for _, b := range []string{"one", "two", "three", "four", "five"} {
		ms = append(ms, enqueue(t, s, ana, b))
	}
	err := s.Batch(ctx, func(b *Batch) error {
		_, err := b.MarkDelivered(ana.ID, ms[2].ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.OutboxAfter(ctx, ana.ID, ms[0].Seq, 2)
	if err != nil {
		t.Fatal(err)
	}
	if b := bodies(got); len(b) != 2 || b[0] != "two" || b[1] != "four" {
		t.Errorf("outbox after %q, at most 2: %q, want [two four]", "one", b)
	}
	if _, err := s.OutboxAfter(ctx, 999, 0, 5); err == nil {
		t.Error("OutboxAfter of an unknown contact did not fail")
	}
}
