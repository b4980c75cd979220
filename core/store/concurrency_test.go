package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Several goroutines enqueue, deliver, receive and read at once. No call
// may fail, in particular not with "database is locked".
func TestConcurrentUse(t *testing.T) {
	s, _ := openTemp(t)
	hammer(t, []*Store{s}, 6, 12)
}

// Two Stores on one file, as two processes would have, writing at once:
// SQLite's busy_timeout covers the other process's writes.
func TestTwoStoresOneFile(t *testing.T) {
	s1, path := openTemp(t)
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	hammer(t, []*Store{s1, s2}, 2, 8)
}

// hammer runs workers senders and workers receivers, spread over stores,
// perWorker rounds each, then checks every message arrived and was delivered.
func hammer(t *testing.T, stores []*Store, workers, perWorker int) {
	t.Helper()
	ctx := context.Background()
	s1, s2 := stores[0], stores[len(stores)-1]
	contacts := []Contact{addContact(t, s1, "alice"), addContact(t, s1, "bob")}

	var wg sync.WaitGroup
	errs := make(chan error, 4*workers*perWorker)
	for w := 0; w < workers; w++ {
		s := stores[w%len(stores)]
		c := contacts[w%len(contacts)]
		wg.Add(2)
		go func() { // sender: enqueue, send, deliver
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				m, err := s.Enqueue(ctx, Message{ContactID: c.ID, Body: fmt.Sprintf("w%d-%d", w, i)})
				if err != nil {
					errs <- err
					continue
				}
				if err := s.MarkSent(ctx, c.ID, m.ID); err != nil {
					errs <- err
				}
				if changed, err := s.MarkDelivered(ctx, c.ID, m.ID); err != nil || !changed {
					errs <- fmt.Errorf("MarkDelivered: changed=%v, %v", changed, err)
				}
			}
		}()
		go func() { // receiver and reader
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				if _, _, err := s.SaveIncoming(ctx, Message{ContactID: c.ID, ID: randomID(), Body: "in"}); err != nil {
					errs <- err
				}
				if _, err := s.History(ctx, c.ID, 10); err != nil {
					errs <- err
				}
				if _, err := s.Outbox(ctx, c.ID); err != nil {
					errs <- err
				}
				if err := s.ResetSent(ctx, c.ID); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			t.Errorf("lock error surfaced: %v", err)
		} else {
			t.Errorf("concurrent call failed: %v", err)
		}
	}

	total := 0
	for _, c := range contacts {
		h, err := s1.History(ctx, c.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		total += len(h)
		for _, m := range h {
			if m.Direction == Outgoing && m.State != Delivered {
				t.Errorf("message %s left in state %v", m.Body, m.State)
			}
		}
	}
	if want := 2 * workers * perWorker; total != want {
		t.Errorf("%d messages stored, want %d", total, want)
	}
	if ids, err := s2.OutboxContacts(ctx); err != nil || len(ids) != 0 {
		t.Errorf("outbox not empty: %v, %v", ids, err)
	}
}
