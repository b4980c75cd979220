package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEnqueueValidates(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	if _, err := s.Enqueue(ctx, Message{ContactID: c.ID, Body: strings.Repeat("x", MaxBody+1)}); !errors.Is(err, ErrMessageTooLong) {
		t.Errorf("long body: %v", err)
	}
	for _, b := range []string{"", " \n\t"} {
		if _, err := s.Enqueue(ctx, Message{ContactID: c.ID, Body: b}); !errors.Is(err, ErrEmptyMessage) {
			t.Errorf("body %q: %v", b, err)
		}
	}
	if _, err := s.Enqueue(ctx, Message{ContactID: c.ID + 100, Body: "hi"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
	if _, err := s.Enqueue(ctx, Message{ContactID: c.ID, Body: strings.Repeat("x", MaxBody)}); err != nil {
		t.Errorf("body of MaxBody bytes: %v", err)
	}
	out, _ := s.Outbox(ctx, c.ID)
	if len(out) != 1 {
		t.Errorf("outbox has %d messages, want 1", len(out))
	}
}

func TestEnqueueSetsFields(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	sentAt := time.Date(2030, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))
	id := randomID()
	m, err := s.Enqueue(ctx, Message{ContactID: c.ID, ID: id, Body: "hi", SentAt: sentAt, State: Delivered, Direction: Incoming})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != id || m.Seq == 0 || m.State != Queued || m.Direction != Outgoing || m.At.IsZero() ||
		!m.SentAt.Equal(sentAt) || m.SentAt.Location() != time.UTC {
		t.Errorf("enqueued %+v", m)
	}
	m2 := enqueue(t, s, c, "no id given")
	if m2.ID == (MessageID{}) || m2.ID == m.ID {
		t.Errorf("generated ID %x", m2.ID)
	}
	if !m2.SentAt.Equal(m2.At) {
		t.Errorf("zero SentAt became %v, At %v", m2.SentAt, m2.At)
	}
	if _, err := s.Enqueue(ctx, Message{ContactID: c.ID, ID: id, Body: "same id"}); err == nil {
		t.Error("second outgoing message with the same ID accepted")
	}
	out, err := s.Outbox(ctx, c.ID)
	if err != nil || len(out) != 2 {
		t.Fatalf("outbox %v, %v", out, err)
	}
	if out[0] != m {
		t.Errorf("stored %+v\nreturned %+v", out[0], m)
	}
}

func TestOutboxOrderAndContacts(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	alice := addContact(t, s, "alice")
	bob := addContact(t, s, "bob")
	carol := addContact(t, s, "carol")
	for _, b := range []string{"a1", "b1", "a2", "a3", "b2"} {
		c := alice
		if b[0] == 'b' {
			c = bob
		}
		enqueue(t, s, c, b)
	}
	out, err := s.Outbox(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := bodies(out); !slices.Equal(got, []string{"a1", "a2", "a3"}) {
		t.Errorf("alice's outbox %v", got)
	}
	for i := 1; i < len(out); i++ {
		if out[i].Seq <= out[i-1].Seq {
			t.Errorf("outbox not in Seq order: %d after %d", out[i].Seq, out[i-1].Seq)
		}
	}
	ids, err := s.OutboxContacts(ctx)
	if err != nil || !slices.Equal(ids, []int64{alice.ID, bob.ID}) {
		t.Errorf("OutboxContacts %v, %v", ids, err)
	}
	if out, err := s.Outbox(ctx, carol.ID); err != nil || len(out) != 0 {
		t.Errorf("carol's outbox %v, %v", out, err)
	}
	if _, err := s.Outbox(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
}

func state(t *testing.T, s *Store, c Contact, id MessageID) State {
	t.Helper()
	h, err := s.History(context.Background(), c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range h {
		if m.ID == id && m.Direction == Outgoing {
			return m.State
		}
	}
	t.Fatalf("message %x not in history", id)
	return 0
}

func TestDeliveryStates(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	m1 := enqueue(t, s, c, "one")
	m2 := enqueue(t, s, c, "two")

	if err := s.MarkSent(ctx, c.ID, m1.ID); err != nil {
		t.Fatal(err)
	}
	if got := state(t, s, c, m1.ID); got != Sent {
		t.Fatalf("after MarkSent: %v", got)
	}
	changed, err := s.MarkDelivered(ctx, c.ID, m1.ID)
	if err != nil || !changed {
		t.Fatalf("MarkDelivered: %v, %v", changed, err)
	}
	if got := state(t, s, c, m1.ID); got != Delivered {
		t.Fatalf("after MarkDelivered: %v", got)
	}
	// Repeated ack, and an ack for an unknown ID, change nothing.
	if changed, err := s.MarkDelivered(ctx, c.ID, m1.ID); err != nil || changed {
		t.Errorf("repeated MarkDelivered: %v, %v", changed, err)
	}
	if changed, err := s.MarkDelivered(ctx, c.ID, randomID()); err != nil || changed {
		t.Errorf("MarkDelivered of unknown ID: %v, %v", changed, err)
	}
	// MarkSent never moves a message backwards.
	if err := s.MarkSent(ctx, c.ID, m1.ID); err != nil {
		t.Fatal(err)
	}
	if got := state(t, s, c, m1.ID); got != Delivered {
		t.Errorf("MarkSent after delivery moved state to %v", got)
	}
	out, _ := s.Outbox(ctx, c.ID)
	if got := bodies(out); !slices.Equal(got, []string{"two"}) {
		t.Errorf("outbox after delivery %v", got)
	}
	// A Queued message may be acked directly (ack raced MarkSent).
	if changed, err := s.MarkDelivered(ctx, c.ID, m2.ID); err != nil || !changed {
		t.Errorf("MarkDelivered of queued: %v, %v", changed, err)
	}
	if ids, _ := s.OutboxContacts(ctx); len(ids) != 0 {
		t.Errorf("OutboxContacts %v after all delivered", ids)
	}

	if err := s.MarkSent(ctx, c.ID, randomID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkSent of unknown ID: %v", err)
	}
	if err := s.MarkSent(ctx, 999, m1.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkSent for unknown contact: %v", err)
	}
	if _, err := s.MarkDelivered(ctx, 999, m1.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkDelivered for unknown contact: %v", err)
	}
}

func TestMarkDeliveredIgnoresIncoming(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	in, _, err := s.SaveIncoming(ctx, Message{ContactID: c.ID, ID: randomID(), Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := s.MarkDelivered(ctx, c.ID, in.ID); err != nil || changed {
		t.Errorf("MarkDelivered of an incoming ID: %v, %v", changed, err)
	}
	h, _ := s.History(ctx, c.ID, 0)
	if h[0].State != Received {
		t.Errorf("incoming message state %v", h[0].State)
	}
}

func TestResetSent(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	alice := addContact(t, s, "alice")
	bob := addContact(t, s, "bob")
	a1 := enqueue(t, s, alice, "a1")
	a2 := enqueue(t, s, alice, "a2")
	a3 := enqueue(t, s, alice, "a3")
	b1 := enqueue(t, s, bob, "b1")
	for _, m := range []Message{a1, a2, a3} {
		if err := s.MarkSent(ctx, alice.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkSent(ctx, bob.ID, b1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkDelivered(ctx, alice.ID, a2.ID); err != nil {
		t.Fatal(err)
	}

	if err := s.ResetSent(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	want := map[MessageID]State{a1.ID: Queued, a2.ID: Delivered, a3.ID: Queued}
	for id, st := range want {
		if got := state(t, s, alice, id); got != st {
			t.Errorf("alice %x: %v, want %v", id, got, st)
		}
	}
	if got := state(t, s, bob, b1.ID); got != Sent {
		t.Errorf("bob's message touched: %v", got)
	}
	if err := s.ResetSent(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
}
