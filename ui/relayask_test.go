package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// anaQuestion is the consent question, word for word, for a contact called Ana.
const anaQuestion = "A direct connection to Ana failed. Connect through a relay? " +
	"Messages stay end-to-end encrypted; the relay can see that you two are talking."

// labelShown reports whether a visible label in w or its dialogs reads text exactly.
func labelShown(w fyne.Window, text string) bool {
	return slices.ContainsFunc(shown[*widget.Label](w), func(l *widget.Label) bool { return l.Text == text })
}

func TestRelayAskDialogUsesARelay(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Path: "none", Addr: "198.51.100.4:7777"})
	b.addContact(node.ContactView{Name: "Bo", Path: "none"})
	m, p := open(t, b)
	m.selectContact("Ana")
	p.settle()
	if m.chat.relay.Visible() {
		t.Fatal("with no relay question the header should not offer to answer one")
	}

	b.askRelay("Ana")
	p.until(t, "the consent dialog opens", func() bool { return m.relayAsks["Ana"] != nil })
	if !labelShown(m.w, anaQuestion) {
		t.Fatalf("the dialog does not ask %q", anaQuestion)
	}
	if got := len(m.w.Canvas().Overlays().List()); got != 1 {
		t.Fatalf("%d dialogs open, want 1", got)
	}
	if got := reachShown(m, "Ana"); got != "offline · waiting for your answer about a relay" {
		t.Fatalf("Ana's line = %q", got)
	}

	// The node asking again about Ana does not stack a second dialog.
	d := m.relayAsks["Ana"]
	b.askRelay("Ana")
	p.settle()
	if got := len(m.w.Canvas().Overlays().List()); got != 1 || m.relayAsks["Ana"] != d {
		t.Fatalf("a second question about Ana gave %d dialogs", got)
	}

	test.Tap(findButton(t, m.w, "Use a relay"))
	p.until(t, "the node has the answer", func() bool {
		answers, _, _ := b.relayCalls()
		return len(answers) == 1
	})
	if answers, _, _ := b.relayCalls(); answers[0] != (relayAnswer{"Ana", true}) {
		t.Fatalf("AnswerRelay%+v, want (Ana, true)", answers[0])
	}
	p.until(t, "the dialog closes", func() bool {
		return m.relayAsks["Ana"] == nil && len(m.w.Canvas().Overlays().List()) == 0
	})
	p.until(t, "Ana's line no longer waits for an answer", func() bool {
		return reachShown(m, "Ana") == "offline · 198.51.100.4:7777"
	})
	if m.chat.relay.Visible() {
		t.Fatal("after allowing a relay the header should not ask again")
	}

	// A relayed contact reads as such once it connects.
	b.mu.Lock()
	b.contacts[0].Relay = "198.18.1.5:7448"
	b.mu.Unlock()
	b.presence("Ana", true, "relay", "198.18.1.5:7448")
	p.until(t, "Ana shows as relayed", func() bool { return reachShown(m, "Ana") == "relay via 198.18.1.5:7448" })
	if got := m.chat.status.Text(); got != "relay via 198.18.1.5:7448" {
		t.Fatalf("header = %q", got)
	}
}

func TestRelayAskLaterThenDecline(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Path: "none"})
	b.addContact(node.ContactView{Name: "Bo", Path: "none"})
	m, p := open(t, b)
	m.selectContact("Ana")

	// Questions about two contacts are two dialogs.
	b.askRelay("Ana")
	b.askRelay("Bo")
	p.until(t, "both dialogs open", func() bool { return m.relayAsks["Ana"] != nil && m.relayAsks["Bo"] != nil })
	if got := len(m.w.Canvas().Overlays().List()); got != 2 {
		t.Fatalf("%d dialogs open, want 2", got)
	}
	test.Tap(m.relayAsks["Bo"].later)
	test.Tap(m.relayAsks["Ana"].later)
	if len(m.relayAsks) != 0 || len(m.w.Canvas().Overlays().List()) != 0 {
		t.Fatal("Ask me later should close the dialogs")
	}
	if answers, _, _ := b.relayCalls(); len(answers) != 0 {
		t.Fatalf("Ask me later answered the node: %+v", answers)
	}

	// Dismissing is not a dead end: the open chat offers to answer.
	if !m.chat.relay.Visible() || m.chat.relay.Text != "Use a relay?" {
		t.Fatalf("header relay button visible=%v %q", m.chat.relay.Visible(), m.chat.relay.Text)
	}
	test.Tap(m.chat.relay)
	if m.relayAsks["Ana"] == nil || !labelShown(m.w, anaQuestion) {
		t.Fatal("the header button should ask again")
	}

	// Saying no is remembered by the node and shown; the header offers a
	// way back.
	test.Tap(findButton(t, m.w, "Don't relay"))
	p.until(t, "the node has the answer", func() bool {
		answers, _, _ := b.relayCalls()
		return len(answers) == 1 && m.relayAsks["Ana"] == nil
	})
	if answers, _, _ := b.relayCalls(); answers[0] != (relayAnswer{"Ana", false}) {
		t.Fatalf("AnswerRelay%+v, want (Ana, false)", answers[0])
	}
	p.until(t, "Ana's line says no relay", func() bool { return reachShown(m, "Ana") == "offline · you declined a relay" })
	if !m.chat.relay.Visible() || m.chat.relay.Text != "Allow a relay…" {
		t.Fatalf("header relay button visible=%v %q", m.chat.relay.Visible(), m.chat.relay.Text)
	}
	if got := reachShown(m, "Bo"); got != "offline · waiting for your answer about a relay" {
		t.Fatalf("Bo's line = %q", got)
	}
}

func TestRelayAskShowsErrors(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Path: "none"})
	b.relayErr = errors.New("database is locked")
	m, p := open(t, b)
	b.askRelay("Ana")
	p.until(t, "the consent dialog opens", func() bool { return m.relayAsks["Ana"] != nil })
	d := m.relayAsks["Ana"]
	test.Tap(d.allow)
	p.until(t, "the error shows", func() bool { return d.problem.Visible() })
	if !strings.Contains(d.problem.Text, "database is locked") || m.relayAsks["Ana"] != d {
		t.Fatalf("error %q, dialog still open %v", d.problem.Text, m.relayAsks["Ana"] == d)
	}
	if d.allow.Disabled() || d.deny.Disabled() {
		t.Fatal("the answers should be enabled again after an error")
	}
}
