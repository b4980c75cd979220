package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"path/filepath"
	"testing"
)

// openTemp opens a fresh store in a temp dir and closes it at test end.
func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "home", "tincan.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// newContact returns a valid contact with a random key.
func newContact(name string) Contact {
	key := make([]byte, 300)
	rand.Read(key)
	fp := sha256.Sum256(key)
	sid := make([]byte, 16)
	rand.Read(sid)
	return Contact{Name: name, Card: "card of " + name, PublicKey: key, Fingerprint: fp[:], SecretID: sid}
}

// addContact adds a new contact or fails the test.
func addContact(t *testing.T, s *Store, name string) Contact {
	t.Helper()
	c, err := s.AddContact(context.Background(), newContact(name))
	if err != nil {
		t.Fatalf("AddContact %q: %v", name, err)
	}
	return c
}

// enqueue queues body for c or fails the test.
func enqueue(t *testing.T, s *Store, c Contact, body string) Message {
	t.Helper()
	m, err := s.Enqueue(context.Background(), Message{ContactID: c.ID, Body: body})
	if err != nil {
		t.Fatalf("Enqueue %q: %v", body, err)
	}
	return m
}

// bodies lists the bodies of ms.
func bodies(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Body
	}
	return out
}

func randomID() MessageID {
	var id MessageID
	rand.Read(id[:])
	return id
}
