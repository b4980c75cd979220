package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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
	// Leaving Bo out asks first, naming him.
	p.settle()
	if len(b.rotated()) != 0 {
		t.Fatal("unticking a contact and pressing Rotate revoked them without asking")
	}
	texts := strings.Join(textsIn(m.w.Canvas().Overlays().Top()), "\n")
	if !strings.Contains(texts, "Bo will not get your new card") || strings.Contains(texts, "Ana will not") {
		t.Errorf("the confirmation should name Bo, and only Bo, as cut off; it says:\n%s", texts)
	}
	capture(t, m.w, "rotate-confirm")
	test.Tap(findButton(t, m.w, "Rotate and revoke"))
	p.until(t, "the backend is asked to rotate", func() bool { return len(b.rotated()) == 1 })
	if r := b.rotated()[0]; !slices.Equal(r.keep, []string{"Ana", "Cy"}) || !r.newKey {
		t.Fatalf("Rotate(keep=%v, newKey=%v), want keep Ana and Cy with a new key", r.keep, r.newKey)
	}
	// Then it says what happened, and offers the new card.
	p.until(t, "the summary shows", func() bool { return m.rotateDialog == nil && m.rotated != nil })
	summary := strings.Join(textsIn(m.rotated.body), "\n")
	for _, want := range []string{"You have a new card.", "It goes to Ana and Cy", "Revoked: Bo.", "history with them is kept"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary should say %q; it says:\n%s", want, summary)
		}
	}
	capture(t, m.w, "rotated")
	test.Tap(findButton(t, m.w, "Show my new card"))
	p.until(t, "the new card shows", func() bool {
		return m.rotated == nil && m.cardDialog != before && m.cardDialog.info.card == goodCard
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

func TestRotateKeepingEveryoneAsksNothing(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana"})
	m, p := open(t, b)
	d := openRotateDialog(t, m, p)
	test.Tap(d.rotate)
	p.until(t, "the backend is asked to rotate at once", func() bool { return len(b.rotated()) == 1 })
	p.until(t, "the summary shows", func() bool { return m.rotated != nil })
	if s := strings.Join(textsIn(m.rotated.body), "\n"); strings.Contains(s, "Revoked") {
		t.Errorf("no one was revoked, yet the summary says:\n%s", s)
	}
}

func TestRevokedConversationSaysSo(t *testing.T) {
	b := &editBackend{memBackend: newMemBackend("Me"),
		revokedAt: map[string]time.Time{"Carl": time.Date(2026, 3, 5, 10, 0, 0, 0, time.Local)}}
	b.addContact(node.ContactView{Name: "Ana"})
	b.addContact(node.ContactView{Name: "Carl", Revoked: true})
	b.history("Carl", "in", "old times", stateReceived)
	m, p := open(t, b)
	m.selectContact("Carl")
	p.until(t, "the revoked note shows the date", func() bool {
		return m.revokedNote.root.Visible() && strings.Contains(m.revokedNote.text.Text, "March 5, 2026")
	})
	if want := "You revoked Carl on March 5, 2026"; !strings.HasPrefix(m.revokedNote.text.Text, want) ||
		!strings.Contains(m.revokedNote.text.Text, "Your history is kept") {
		t.Errorf("the note says %q, want it to start %q and say the history is kept", m.revokedNote.text.Text, want)
	}
	p.until(t, "Carl's history still shows", func() bool { return len(bubbles(m)) == 1 })
	m.selectContact("Ana")
	p.settle()
	if m.revokedNote.root.Visible() {
		t.Error("the revoked note still shows over a kept contact's chat")
	}
}
