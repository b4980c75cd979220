package node

import (
	"context"
	"testing"
)

func TestNotifySettingsPersist(t *testing.T) {
	ctx := context.Background()
	a, b := testNode(t, "ana"), testNode(t, "ben")
	if _, err := a.AddContact(ctx, "ben", b.Card(), ""); err != nil {
		t.Fatal(err)
	}
	if on, err := a.NotifyText(ctx); !on || err != nil {
		t.Errorf("notifications should show message text by default, got %v, %v", on, err)
	}
	if err := a.SetNotifyText(ctx, false); err != nil {
		t.Fatal(err)
	}
	if on, err := a.NotifyText(ctx); on || err != nil {
		t.Errorf("after turning it off, notifications should hide message text, got %v, %v", on, err)
	}
	if m, err := a.Muted(ctx, "ben"); m || err != nil {
		t.Errorf("a new contact should not be muted, got %v, %v", m, err)
	}
	if err := a.SetMuted(ctx, "ben", true); err != nil {
		t.Fatal(err)
	}
	if m, err := a.Muted(ctx, "ben"); !m || err != nil {
		t.Errorf("ben should be muted, got %v, %v", m, err)
	}
	if err := a.SetMuted(ctx, "ben", false); err != nil {
		t.Fatal(err)
	}
	if m, _ := a.Muted(ctx, "ben"); m {
		t.Error("ben should be unmuted again")
	}
	if err := a.SetMuted(ctx, "carl", true); err == nil || !IsBadInput(err) {
		t.Errorf("muting an unknown contact should be bad input, got %v", err)
	}
}
