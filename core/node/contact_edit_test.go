package node

import (
	"context"
	"strings"
	"testing"
	"time"

	"tincan/core/store"
)

func TestSetContactAddressChangesAndChecksTheAddress(t *testing.T) {
	ctx := context.Background()
	a, b := testNode(t, "ana"), testNode(t, "ben")
	if _, err := a.AddContact(ctx, "ben", b.Card(), ""); err != nil {
		t.Fatalf("add ben: %v", err)
	}
	events, unsub := a.Subscribe()
	defer unsub()
	if err := a.SetContactAddress(ctx, "ben", " "+b.ListenAddr()+" "); err != nil {
		t.Fatalf("set ben's address: %v", err)
	}
	waitEvent(t, events, "the contact list changed", func(ev Event) bool { return ev.Contacts })
	cs, err := a.Contacts(ctx)
	if err != nil || len(cs) != 1 || cs[0].Addr != b.ListenAddr() {
		t.Fatalf("after setting it, ben's address should be %s; contacts are %+v (%v)", b.ListenAddr(), cs, err)
	}
	for _, bad := range []string{"no-port", "host:0", "host:99999", ":7777"} {
		err := a.SetContactAddress(ctx, "ben", bad)
		if err == nil || !IsBadInput(err) {
			t.Errorf("the address %q should be refused as bad input, got %v", bad, err)
		}
	}
	if err := a.SetContactAddress(ctx, "carl", "host:7777"); err == nil || !IsBadInput(err) {
		t.Errorf("setting an unknown contact's address should be bad input, got %v", err)
	}
	if err := a.SetContactAddress(ctx, "ben", ""); err != nil {
		t.Fatalf("clear ben's address: %v", err)
	}
	if cs, _ := a.Contacts(ctx); cs[0].Addr != "" {
		t.Errorf("a cleared address should be empty, is %q", cs[0].Addr)
	}
	// The address is used: ben, now reachable, gets a message.
	if err := a.SetContactAddress(ctx, "ben", b.ListenAddr()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddContact(ctx, "ana", a.Card(), ""); err != nil {
		t.Fatal(err)
	}
	msg, err := a.Send(ctx, "ben", "found you")
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, events, "the message delivered at the new address", func(ev Event) bool {
		return ev.Message != nil && ev.Message.ID == msg.ID && ev.Message.State == "delivered"
	})
}

func TestRevokedAtIsKeptPerContact(t *testing.T) {
	ctx := context.Background()
	a, b := testNode(t, "ana"), testNode(t, "ben")
	if _, err := a.AddContact(ctx, "ben", b.Card(), ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.RevokedAt(ctx, "ben"); ok || err != nil {
		t.Fatalf("ben is not revoked, yet RevokedAt says %v, %v", ok, err)
	}
	if _, err := a.Rotate(ctx, nil, false); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	c, err := a.contactByName(ctx, "ben")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	a.noteRevoked(ctx, []store.Contact{c}, at)
	got, ok, err := a.RevokedAt(ctx, "ben")
	if err != nil || !ok || !got.Equal(at) {
		t.Errorf("ben was revoked at %v, RevokedAt says %v, %v, %v", at, got, ok, err)
	}
}

func TestRenameContactChecksTheNewName(t *testing.T) {
	ctx := context.Background()
	a, b, c := testNode(t, "ana"), testNode(t, "ben"), testNode(t, "cem")
	for name, n := range map[string]*Node{"ben": b, "cem": c} {
		if _, err := a.AddContact(ctx, name, n.Card(), ""); err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
	}
	if err := a.RenameContact(ctx, "ben", " Benjamin "); err != nil {
		t.Fatalf("rename ben: %v", err)
	}
	if _, err := a.contactByName(ctx, "Benjamin"); err != nil {
		t.Fatalf("after the rename Benjamin is not found: %v", err)
	}
	if err := a.RenameContact(ctx, "Benjamin", "cem"); err == nil || !IsBadInput(err) || !strings.Contains(err.Error(), `already have a contact named "cem"`) {
		t.Fatalf("renaming onto another contact's name gave %v", err)
	}
	if err := a.RenameContact(ctx, "Benjamin", "   "); err == nil || !IsBadInput(err) {
		t.Fatalf("an empty name gave %v", err)
	}
}
