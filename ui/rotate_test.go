package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"tincan/core/node"
)

// openRotateDialog goes My card -> Rotate my card… and returns the dialog.
func openRotateDialog(t *testing.T, m *Main, p *pump) *rotateDialog {
	t.Helper()
	test.Tap(findButton(t, m.w, "My card"))
	p.until(t, "the card dialog opens", func() bool { return m.cardDialog != nil })
	test.Tap(findButton(t, m.w, "Rotate my card…"))
	p.until(t, "the rotate dialog opens", func() bool { return m.rotateDialog != nil })
	return m.rotateDialog
}

func TestRotateDialogKeepsTickedContacts(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana"})
	b.addContact(node.ContactView{Name: "Bo"})
	b.addContact(node.ContactView{Name: "Cy"})
	b.addContact(node.ContactView{Name: "Old", Revoked: true})
	m, p := open(t, b)
	d := openRotateDialog(t, m, p)

	// Every contact not yet revoked is listed, ticked.
	if !slices.Equal(d.names, []string{"Ana", "Bo", "Cy"}) {
		t.Fatalf("listed %v, want Ana, Bo, Cy", d.names)
	}
	for i, c := range d.checks {
		if !c.Checked || c.Text != d.names[i] {
			t.Errorf("check %d: %q ticked=%v", i, c.Text, c.Checked)
		}
	}
	if d.newKey.Checked {
		t.Error("a new key should not be the default")
	}
	capture(t, m.w, "rotate")

	before := m.cardDialog
	test.Tap(d.checks[1]) // untick Bo
	test.Tap(d.newKey)
	test.Tap(d.rotate)
	p.until(t, "the backend is asked to rotate", func() bool { return len(b.rotated()) == 1 })
	if r := b.rotated()[0]; !slices.Equal(r.keep, []string{"Ana", "Cy"}) || !r.newKey {
		t.Fatalf("Rotate(keep=%v, newKey=%v), want keep Ana and Cy with a new key", r.keep, r.newKey)
	}
	p.until(t, "the dialog closes and the new card shows", func() bool {
		return m.rotateDialog == nil && m.cardDialog != before && m.cardDialog.info.card == goodCard
	})
	p.until(t, "Bo shows as revoked", func() bool { return strings.HasPrefix(reachShown(m, "Bo"), "revoked") })
	if got := reachShown(m, "Ana"); strings.HasPrefix(got, "revoked") {
		t.Errorf("kept Ana shows %q", got)
	}

	// A revoked contact's chat cannot be written to.
	m.selectContact("Bo")
	p.settle()
	if !m.chat.entry.Disabled() || !m.chat.send.Disabled() {
		t.Error("the chat with a revoked contact still takes messages")
	}
	m.selectContact("Ana")
	p.settle()
	if m.chat.entry.Disabled() || m.chat.send.Disabled() {
		t.Error("the chat with a kept contact is disabled")
	}
}

func TestRotateDialogShowsErrorsAndCancels(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana"})
	b.rotateErr = errors.New("keychain locked")
	m, p := open(t, b)
	d := openRotateDialog(t, m, p)
	test.Tap(d.rotate)
	p.until(t, "the error shows", func() bool { return d.problem.Visible() })
	if !strings.Contains(d.problem.Text, "Keychain locked") || m.rotateDialog != d || d.rotate.Disabled() {
		t.Fatalf("error shown %q, dialog open %v, rotate disabled %v", d.problem.Text, m.rotateDialog == d, d.rotate.Disabled())
	}
	test.Tap(d.cancel)
	if m.rotateDialog != nil {
		t.Fatal("Cancel should close the dialog")
	}
	if n := len(b.rotated()); n != 1 {
		t.Fatalf("%d rotations asked, want the one that failed", n)
	}
}
