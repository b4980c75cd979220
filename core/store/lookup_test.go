package store

import (
	"context"
	"errors"
	"testing"
)

func TestMessageByID(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	c := addContact(t, s, "Ana")
	m, err := s.Enqueue(ctx, Message{ID: MessageID{1}, ContactID: c.ID, Direction: Outgoing, Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.MessageByID(ctx, c.ID, Outgoing, m.ID)
	if err != nil || got.Body != "hi" || got.Seq != m.Seq || got.State != Queued {
		t.Fatalf("MessageByID = %+v, %v", got, err)
	}
	if _, err := s.MessageByID(ctx, c.ID, Incoming, m.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("wrong direction: %v, want ErrNotFound", err)
	}
	if _, err := s.MessageByID(ctx, c.ID+1, Outgoing, m.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("wrong contact: %v, want ErrNotFound", err)
	}
}
