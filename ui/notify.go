package ui

import (
	"context"
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"

	"tincan/core/node"
)

// NotifySettings is the part of the node that keeps the notification
// settings: whether notifications show message text, and who is muted;
// *node.Node satisfies it. A Backend without it shows text and mutes no one.
type NotifySettings interface {
	NotifyText(ctx context.Context) (bool, error)
	SetNotifyText(ctx context.Context, on bool) error
	Muted(ctx context.Context, name string) (bool, error)
	SetMuted(ctx context.Context, name string, on bool) error
}

var _ NotifySettings = (*node.Node)(nil)

// messageNotifier shows one notification per conversation, replaced as
// messages arrive. Its methods are called on the UI goroutine and never
// block it.
type messageNotifier interface {
	// Show shows (or replaces) the conversation's notification.
	Show(contact, title, body string)
	// Close takes the conversation's notification away.
	Close(contact string)
}

// notes is what the window knows about message notifications. It is used
// on the UI goroutine only.
type notes struct {
	show     messageNotifier
	hideText bool            // notifications say who wrote, not what
	muted    map[string]bool // contacts whose messages notify no one
	count    map[string]int  // messages notified since the user last read the conversation
}

// setupNotes picks the notifier and loads the settings off the UI goroutine.
func (m *Main) setupNotes() {
	m.notes = notes{muted: map[string]bool{}, count: map[string]int{}}
	m.notes.show = m.newMessageNotifier()
	ns, ok := m.b.(NotifySettings)
	if !ok {
		return
	}
	m.work.background(func(ctx context.Context) func() {
		on, err := ns.NotifyText(ctx)
		if err != nil {
			slog.Warn("notification setting", "err", err)
		}
		cs, err := m.b.Contacts(ctx)
		if err != nil {
			slog.Warn("contacts for mutes", "err", err)
		}
		muted := map[string]bool{}
		for _, c := range cs {
			if mu, err := ns.Muted(ctx, c.Name); err == nil && mu {
				muted[c.Name] = true
			}
		}
		return func() {
			m.notes.hideText = !on
			for name := range muted {
				m.notes.muted[name] = true
			}
		}
	})
}

// noteWords is a conversation's notification: the contact's name, and the
// message, or how many arrived; with hideText, never their text.
func noteWords(contact string, count int, text string, hideText bool) (title, body string) {
	switch {
	case count > 1:
		return contact, fmt.Sprintf("%d new messages", count)
	case hideText:
		return contact, "New message"
	}
	return contact, preview(text, notifyChars)
}

// notifyMessage tells a user who is not looking that msg arrived: one
// notification per conversation, counting, unless the contact is muted.
func (m *Main) notifyMessage(msg node.MessageView) {
	if msg.Kind == kindCall || m.notes.muted[msg.Contact] || m.notes.show == nil {
		return
	}
	m.notes.count[msg.Contact]++
	n := m.notes.count[msg.Contact]
	title, body := noteWords(msg.Contact, n, msg.Text, m.notes.hideText)
	m.notes.show.Show(msg.Contact, title, body)
}

// clearNote takes name's notification away: the user has read it.
func (m *Main) clearNote(name string) {
	if m.notes.count[name] == 0 {
		return
	}
	delete(m.notes.count, name)
	if m.notes.show != nil {
		m.notes.show.Close(name)
	}
}

// plainNotifier is Fyne's notification, where notifications cannot be
// replaced: it sends one per call to Show.
type plainNotifier struct{ app fyne.App }

// Show sends the notification.
func (p plainNotifier) Show(_, title, body string) {
	p.app.SendNotification(fyne.NewNotification(title, body))
}

// Close does nothing: a plain notification cannot be taken back.
func (plainNotifier) Close(string) {}

// setMuted mutes or unmutes the details' contact.
func (m *Main) setMuted(d *detailsDialog, ns NotifySettings, on bool) {
	name := d.contact
	m.notes.muted[name] = on
	if on {
		m.clearNote(name)
	}
	m.work.background(func(ctx context.Context) func() {
		err := ns.SetMuted(ctx, name, on)
		return func() {
			if err != nil {
				m.notes.muted[name] = !on
				d.mute.SetChecked(!on)
				d.fail(fmt.Errorf("could not change the notifications from %s: %w", name, err))
			}
		}
	})
}
