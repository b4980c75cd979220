package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRenameContact(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	ana := addContact(t, s, "Ana")
	addContact(t, s, "Ben")
	if err := s.RenameContact(ctx, ana.ID, "  Anna "); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ContactByName(ctx, "Anna"); err != nil || c.ID != ana.ID {
		t.Fatalf("after the rename, Anna is %+v, %v", c, err)
	}
	if err := s.RenameContact(ctx, ana.ID, "Ben"); !errors.Is(err, ErrDuplicateName) {
		t.Fatalf("renaming to a name in use gave %v", err)
	}
	if err := s.RenameContact(ctx, ana.ID, strings.Repeat("x", MaxName+1)); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("a name over the limit gave %v", err)
	}
	if err := s.RenameContact(ctx, 999, "Cem"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("renaming a missing contact gave %v", err)
	}
}
