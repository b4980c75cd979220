package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAddContactRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	in := newContact("  alice  ")
	in.Addr = "203.0.113.5:4000"
	before := time.Now()
	c, err := s.AddContact(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.Name != "alice" {
		t.Fatalf("returned %+v", c)
	}
	if c.AddedAt.Before(before.Add(-time.Second)) || c.AddedAt.After(time.Now()) || c.AddedAt.Location() != time.UTC {
		t.Errorf("AddedAt %v", c.AddedAt)
	}
	for _, get := range []func() (Contact, error){
		func() (Contact, error) { return s.ContactByName(ctx, "alice") },
		func() (Contact, error) { return s.ContactByID(ctx, c.ID) },
		func() (Contact, error) { return s.ContactByFingerprint(ctx, in.Fingerprint) },
	} {
		got, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != c.ID || got.Name != "alice" || got.Card != in.Card || got.Addr != in.Addr ||
			string(got.PublicKey) != string(in.PublicKey) || string(got.SecretID) != string(in.SecretID) ||
			!got.AddedAt.Equal(c.AddedAt) {
			t.Errorf("lookup returned %+v, want %+v", got, c)
		}
	}
}

func TestAddContactValidates(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, name := range []string{"", "   ", strings.Repeat("x", MaxName+1)} {
		if _, err := s.AddContact(ctx, newContact(name)); !errors.Is(err, ErrInvalidName) {
			t.Errorf("name %q: %v, want ErrInvalidName", name, err)
		}
	}
	if _, err := s.AddContact(ctx, newContact(strings.Repeat("x", MaxName))); err != nil {
		t.Errorf("name of MaxName bytes: %v", err)
	}
	bad := newContact("bad")
	bad.Fingerprint[0] ^= 1
	if _, err := s.AddContact(ctx, bad); err == nil {
		t.Error("wrong fingerprint accepted")
	}
	bad = newContact("bad")
	bad.SecretID = bad.SecretID[:8]
	if _, err := s.AddContact(ctx, bad); err == nil {
		t.Error("short secret ID accepted")
	}
	bad = newContact("bad")
	bad.Card = strings.Repeat("c", maxCard+1)
	if _, err := s.AddContact(ctx, bad); err == nil {
		t.Error("oversized card accepted")
	}
	cs, err := s.Contacts(ctx)
	if err != nil || len(cs) != 1 {
		t.Errorf("contacts after rejects: %d, %v", len(cs), err)
	}
}

func TestAddContactDuplicates(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	alice := newContact("alice")
	if _, err := s.AddContact(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddContact(ctx, newContact("alice")); !errors.Is(err, ErrDuplicateName) {
		t.Errorf("same name: %v, want ErrDuplicateName", err)
	}
	again := alice
	again.Name = "alice2"
	if _, err := s.AddContact(ctx, again); !errors.Is(err, ErrDuplicateKey) {
		t.Errorf("same key: %v, want ErrDuplicateKey", err)
	}
	cs, _ := s.Contacts(ctx)
	if len(cs) != 1 {
		t.Errorf("%d contacts after duplicates, want 1", len(cs))
	}
}

func TestContactsOrderedByName(t *testing.T) {
	s, _ := openTemp(t)
	for _, n := range []string{"carol", "Bob", "alice", "dave"} {
		addContact(t, s, n)
	}
	cs, err := s.Contacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	if want := []string{"alice", "Bob", "carol", "dave"}; !slices.Equal(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
}

func TestContactLookupsNotFound(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	addContact(t, s, "alice")
	if _, err := s.ContactByName(ctx, "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ContactByName: %v", err)
	}
	if _, err := s.ContactByID(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("ContactByID: %v", err)
	}
	if _, err := s.ContactByFingerprint(ctx, make([]byte, 32)); !errors.Is(err, ErrNotFound) {
		t.Errorf("ContactByFingerprint: %v", err)
	}
	if err := s.RemoveContact(ctx, "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveContact: %v", err)
	}
	if err := s.SetContactAddr(ctx, 999, "h:1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetContactAddr: %v", err)
	}
}

func TestSetContactAddr(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	if err := s.SetContactAddr(ctx, c.ID, "198.51.100.7:9000"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ContactByID(ctx, c.ID)
	if err != nil || got.Addr != "198.51.100.7:9000" {
		t.Errorf("addr %q, %v", got.Addr, err)
	}
	if err := s.SetContactAddr(ctx, c.ID, strings.Repeat("a", maxAddr+1)); err == nil {
		t.Error("oversized address accepted")
	}
}

func TestRemoveContactCascades(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	alice := addContact(t, s, "alice")
	bob := addContact(t, s, "bob")
	enqueue(t, s, alice, "to alice")
	enqueue(t, s, bob, "to bob")
	if _, _, err := s.SaveIncoming(ctx, Message{ContactID: alice.ID, ID: randomID(), Body: "from alice"}); err != nil {
		t.Fatal(err)
	}

	if err := s.RemoveContact(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range []string{"messages", "outbox"} {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM `+tbl+` WHERE contact_id = ?`, alice.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d %s rows left for removed contact", n, tbl)
		}
	}
	if _, err := s.ContactByName(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed contact still found: %v", err)
	}
	ids, err := s.OutboxContacts(ctx)
	if err != nil || !slices.Equal(ids, []int64{bob.ID}) {
		t.Errorf("OutboxContacts %v, %v; want only bob", ids, err)
	}
	h, err := s.History(ctx, bob.ID, 0)
	if err != nil || len(h) != 1 {
		t.Errorf("bob's history damaged: %v, %v", h, err)
	}
	// The name and key are free again.
	if _, err := s.AddContact(ctx, newContact("alice")); err != nil {
		t.Errorf("re-adding removed name: %v", err)
	}
}
