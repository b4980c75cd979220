package ui

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"tincan/core/node"
)

// fakeNotifier records what the window shows and takes away.
type fakeNotifier struct {
	mu     sync.Mutex
	shown  []string // "contact|title|body"
	closed []string
}

func (f *fakeNotifier) Show(contact, title, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shown = append(f.shown, contact+"|"+title+"|"+body)
}

func (f *fakeNotifier) Close(contact string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = append(f.closed, contact)
}

func incomingMsg(name, text string) node.MessageView {
	return node.MessageView{Contact: name, Direction: "in", Text: text, State: stateReceived}
}

func TestNotificationsGroupPerConversation(t *testing.T) {
	b := &editBackend{memBackend: newMemBackend("Me")}
	b.addContact(node.ContactView{Name: "Ben"})
	b.addContact(node.ContactView{Name: "Cy"})
	m, p := open(t, b)
	f := &fakeNotifier{}
	m.notes.show = f
	m.hide()
	for i := range 3 {
		m.notifyMessage(incomingMsg("Ben", []string{"one", "two", "three"}[i]))
	}
	m.notifyMessage(incomingMsg("Cy", "hello"))
	want := []string{"Ben|Ben|one", "Ben|Ben|2 new messages", "Ben|Ben|3 new messages", "Cy|Cy|hello"}
	if !slices.Equal(f.shown, want) {
		t.Errorf("notifications shown %q, want %q", f.shown, want)
	}
	// Reading Ben's conversation takes his notification away and starts the count again.
	m.show()
	m.selectContact("Ben")
	p.until(t, "Ben's notification is taken away", func() bool { return slices.Contains(f.closed, "Ben") })
	m.hide()
	m.notifyMessage(incomingMsg("Ben", "again"))
	if last := f.shown[len(f.shown)-1]; last != "Ben|Ben|again" {
		t.Errorf("after reading, the next message should show alone, shown %q", last)
	}
}

func TestNotificationsHideTextAndMute(t *testing.T) {
	b := &editBackend{memBackend: newMemBackend("Me"), hideText: true, muted: map[string]bool{"Cy": true}}
	b.addContact(node.ContactView{Name: "Ben"})
	b.addContact(node.ContactView{Name: "Cy"})
	m, p := open(t, b)
	p.until(t, "the settings load", func() bool { return m.notes.hideText && m.notes.muted["Cy"] })
	f := &fakeNotifier{}
	m.notes.show = f
	m.hide()
	m.notifyMessage(incomingMsg("Ben", "the secret plan"))
	m.notifyMessage(incomingMsg("Cy", "muted words"))
	if !slices.Equal(f.shown, []string{"Ben|Ben|New message"}) {
		t.Errorf("with text hidden and Cy muted, shown %q, want only Ben's, without its text", f.shown)
	}
	// A missed call's line raises no message notification (the call has its own).
	m.notifyMessage(node.MessageView{Contact: "Ben", Direction: "in", Text: "Missed call", Kind: kindCall})
	if len(f.shown) != 1 {
		t.Errorf("a call line raised a message notification: %q", f.shown)
	}

	// The Settings switch turns the text back on, through the node.
	m.show()
	m.showSettings()
	p.until(t, "settings open", func() bool { return m.settings != nil })
	if m.settings.noteText.Checked {
		t.Error("the switch should show that message text is hidden")
	}
	test.Tap(m.settings.noteText)
	p.until(t, "the node keeps the setting", func() bool { on, _ := b.NotifyText(t.Context()); return on })
	m.hide()
	m.notifyMessage(incomingMsg("Ben", "now visible"))
	if last := f.shown[len(f.shown)-1]; !strings.HasSuffix(last, "|2 new messages") {
		t.Errorf("the second unread message from Ben should count, shown %q", last)
	}
	m.notes.count = map[string]int{}
	m.notifyMessage(incomingMsg("Ben", "now visible"))
	if last := f.shown[len(f.shown)-1]; last != "Ben|Ben|now visible" {
		t.Errorf("with text on, the notification should show it, shown %q", last)
	}

	// Muting from the details stops Ben's notifications and is kept by the node.
	m.show()
	m.selectContact("Ben")
	p.settle()
	m.showDetails("Ben")
	p.until(t, "details open", func() bool { return m.details != nil })
	test.Tap(m.details.mute)
	p.until(t, "the node mutes Ben", func() bool { mu, _ := b.Muted(t.Context(), "Ben"); return mu })
	m.hide()
	n := len(f.shown)
	m.notifyMessage(incomingMsg("Ben", "hush"))
	if len(f.shown) != n {
		t.Errorf("a muted contact's message raised %q", f.shown[n:])
	}
}

func TestNoteWords(t *testing.T) {
	for _, c := range []struct {
		count int
		text  string
		hide  bool
		want  string
	}{
		{1, "hi there", false, "hi there"},
		{1, "hi there", true, "New message"},
		{60, "hi", false, "60 new messages"},
		{60, "hi", true, "60 new messages"},
	} {
		if title, body := noteWords("Ben", c.count, c.text, c.hide); title != "Ben" || body != c.want {
			t.Errorf("noteWords(%d, %q, hide %v) = %q, %q; want Ben, %q", c.count, c.text, c.hide, title, body, c.want)
		}
	}
}
