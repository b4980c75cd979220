package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSaveIncoming(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	id := randomID()
	sentAt := time.Unix(1700000000, 123).UTC()
	m, dup, err := s.SaveIncoming(ctx, Message{ContactID: c.ID, ID: id, Body: "hello", SentAt: sentAt, State: Queued})
	if err != nil || dup {
		t.Fatalf("SaveIncoming: dup=%v, %v", dup, err)
	}
	if m.Seq == 0 || m.State != Received || m.Direction != Incoming || m.Read || !m.SentAt.Equal(sentAt) || m.At.IsZero() {
		t.Errorf("saved %+v", m)
	}

	again, dup, err := s.SaveIncoming(ctx, Message{ContactID: c.ID, ID: id, Body: "changed"})
	if err != nil || !dup {
		t.Fatalf("duplicate: dup=%v, %v", dup, err)
	}
	if again != m {
		t.Errorf("duplicate returned %+v, want the stored %+v", again, m)
	}
	h, _ := s.History(ctx, c.ID, 0)
	if len(h) != 1 || h[0].Body != "hello" {
		t.Errorf("history after duplicate: %+v", h)
	}

	// The same ID from another contact, or as our own outgoing ID, is not a duplicate.
	bob := addContact(t, s, "bob")
	if _, dup, err := s.SaveIncoming(ctx, Message{ContactID: bob.ID, ID: id, Body: "hi"}); err != nil || dup {
		t.Errorf("same ID from bob: dup=%v, %v", dup, err)
	}
	if _, err := s.Enqueue(ctx, Message{ContactID: c.ID, ID: id, Body: "mine"}); err != nil {
		t.Errorf("outgoing with an incoming ID: %v", err)
	}

	if _, _, err := s.SaveIncoming(ctx, Message{ContactID: 999, ID: randomID(), Body: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
	if _, _, err := s.SaveIncoming(ctx, Message{ContactID: c.ID, ID: randomID(), Body: strings.Repeat("x", MaxBody+1)}); !errors.Is(err, ErrMessageTooLong) {
		t.Errorf("long body: %v", err)
	}
	if _, _, err := s.SaveIncoming(ctx, Message{ContactID: c.ID, ID: randomID()}); !errors.Is(err, ErrEmptyMessage) {
		t.Errorf("empty body: %v", err)
	}
}

func TestHistoryOrderAndLimit(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	alice := addContact(t, s, "alice")
	bob := addContact(t, s, "bob")
	var want []string
	for i := 0; i < 6; i++ {
		b := fmt.Sprintf("m%d", i)
		if i%2 == 0 {
			enqueue(t, s, alice, b)
		} else if _, _, err := s.SaveIncoming(ctx, Message{ContactID: alice.ID, ID: randomID(), Body: b}); err != nil {
			t.Fatal(err)
		}
		enqueue(t, s, bob, "bob "+b)
		want = append(want, b)
	}
	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{0, want}, {-1, want}, {100, want}, {6, want}, {3, want[3:]}, {1, want[5:]},
	} {
		h, err := s.History(ctx, alice.ID, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := bodies(h); !slices.Equal(got, tc.want) {
			t.Errorf("limit %d: %v, want %v", tc.limit, got, tc.want)
		}
	}
	h, _ := s.History(ctx, alice.ID, 0)
	if h[0].Direction != Outgoing || h[1].Direction != Incoming {
		t.Errorf("directions %v %v", h[0].Direction, h[1].Direction)
	}
	if _, err := s.History(ctx, 999, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
}

func TestReadAndUnread(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	alice := addContact(t, s, "alice")
	bob := addContact(t, s, "bob")
	enqueue(t, s, alice, "outgoing is never unread")
	for i := 0; i < 3; i++ {
		if _, _, err := s.SaveIncoming(ctx, Message{ContactID: alice.ID, ID: randomID(), Body: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.SaveIncoming(ctx, Message{ContactID: bob.ID, ID: randomID(), Body: "b"}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Unread(ctx, alice.ID); err != nil || n != 3 {
		t.Fatalf("Unread(alice) = %d, %v", n, err)
	}
	if err := s.MarkRead(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Unread(ctx, alice.ID); err != nil || n != 0 {
		t.Errorf("Unread(alice) after MarkRead = %d, %v", n, err)
	}
	if n, err := s.Unread(ctx, bob.ID); err != nil || n != 1 {
		t.Errorf("Unread(bob) = %d, %v", n, err)
	}
	h, _ := s.History(ctx, alice.ID, 0)
	for _, m := range h[1:] {
		if !m.Read {
			t.Errorf("message %d not read", m.Seq)
		}
	}
	if _, _, err := s.SaveIncoming(ctx, Message{ContactID: alice.ID, ID: randomID(), Body: "new"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Unread(ctx, alice.ID); n != 1 {
		t.Errorf("Unread after a new message = %d", n)
	}
	if err := s.MarkRead(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkRead unknown: %v", err)
	}
	if _, err := s.Unread(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Unread unknown: %v", err)
	}
}

func TestTimesRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	for _, at := range []time.Time{
		{},
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), // beyond int64 ns: clamped
	} {
		m, _, err := s.SaveIncoming(ctx, Message{ContactID: c.ID, ID: randomID(), Body: "t", SentAt: at})
		if err != nil {
			t.Fatal(err)
		}
		h, _ := s.History(ctx, c.ID, 1)
		got := h[0].SentAt
		if !got.Equal(m.SentAt) {
			t.Errorf("stored %v, returned %v", got, m.SentAt)
		}
		if at.Year() < 2262 && !got.Equal(at) {
			t.Errorf("SentAt %v came back as %v", at, got)
		}
		if at.Year() == 3000 && got.Year() != 2262 {
			t.Errorf("far future came back as %v", got)
		}
	}
}

func TestCallRecordsJoinTheConversation(t *testing.T) {
	s, _ := openTemp(t)
	c := addContact(t, s, "ben")
	ctx := context.Background()
	if _, err := s.Enqueue(ctx, Message{ContactID: c.ID, Body: "hello"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCallRecord(ctx, c.ID, true, "Missed call", time.Now(), true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCallRecord(ctx, c.ID, false, "Call, 3:12", time.Now(), false); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[1].Kind != KindCall || h[1].Body != "Missed call" || h[1].Direction != Incoming || h[1].Read {
		t.Fatalf("history is %+v, want the message then an unread missed call and an outgoing call line", h)
	}
	if h[0].Kind != KindChat || h[2].Kind != KindCall || h[2].Direction != Outgoing {
		t.Fatalf("kinds are wrong: %+v", h)
	}
	if n, _ := s.Unread(ctx, c.ID); n != 1 {
		t.Fatalf("%d unread, want the missed call only", n)
	}
	ob, _ := s.Outbox(ctx, c.ID)
	if len(ob) != 1 {
		t.Fatalf("outbox holds %d messages, want only the chat message (call lines are never sent)", len(ob))
	}
	if _, err := s.AddCallRecord(ctx, c.ID+100, false, "Call", time.Now(), false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a call record for an unknown contact: %v", err)
	}
}
