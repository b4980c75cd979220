package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestLastAddrKeepsUserAddr: the remembered address is stored beside the
// user-given one, read back with the contact, and never replaces it.
func TestLastAddrKeepsUserAddr(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	c := addContact(t, s, "alice")
	got, err := s.ContactByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastAddr != "" || !got.LastAddrAt.IsZero() {
		t.Fatalf("a new contact has last address %q at %v, want none", got.LastAddr, got.LastAddrAt)
	}
	at := time.Unix(1_800_000_000, 123).UTC()
	if err := s.SetLastAddr(ctx, c.ID, "192.0.2.7:4000", at); err != nil {
		t.Fatalf("set last address: %v", err)
	}
	got, err = s.ContactByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastAddr != "192.0.2.7:4000" || !got.LastAddrAt.Equal(at) {
		t.Errorf("last address read back as %q at %v, want 192.0.2.7:4000 at %v", got.LastAddr, got.LastAddrAt, at)
	}
	if got.Addr != c.Addr {
		t.Errorf("the user-given address changed from %q to %q", c.Addr, got.Addr)
	}
	if err := s.SetLastAddr(ctx, c.ID+1000, "192.0.2.7:4000", at); !errors.Is(err, ErrNotFound) {
		t.Errorf("setting the last address of a missing contact gave %v, want ErrNotFound", err)
	}
	if err := s.SetLastAddr(ctx, c.ID, strings.Repeat("x", maxAddr+1), at); err == nil {
		t.Error("an over-long last address was accepted")
	}
}
