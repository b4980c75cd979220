package ui

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// revokedNote is the line above a revoked contact's conversation.
type revokedNote struct {
	text  *widget.Label
	root  *fyne.Container
	shown string // the contact it was last filled for
}

func newRevokedNote() *revokedNote {
	n := &revokedNote{text: wrapped("")}
	n.text.Importance = widget.WarningImportance
	icon := widget.NewIcon(theme.WarningIcon())
	n.root = container.NewVBox(container.NewPadded(container.NewBorder(nil, nil, icon, nil, n.text)),
		widget.NewSeparator())
	n.root.Hide()
	return n
}

// revokedWords says that the user revoked name (on at, when known).
func revokedWords(name string, at time.Time, known bool) string {
	if !known {
		return "You revoked " + name + " when you rotated your card: they can no longer reach you. Your history is kept."
	}
	return "You revoked " + name + " on " + at.Local().Format("January 2, 2006") +
		": they can no longer reach you. Your history is kept."
}

// updateRevokedNote shows the note when the open chat's contact is
// revoked, with the date when the node knows it.
func (m *Main) updateRevokedNote() {
	n := m.revokedNote
	c, ok := m.contacts.find(m.selected)
	if !ok || !c.Revoked {
		if n.root.Visible() {
			n.root.Hide()
			m.chatPane.Refresh()
		}
		n.shown = ""
		return
	}
	if n.shown == c.Name {
		return
	}
	n.shown = c.Name
	n.text.SetText(revokedWords(c.Name, time.Time{}, false))
	n.root.Show()
	m.chatPane.Refresh()
	ed, ok := m.b.(ContactEditor)
	if !ok {
		return
	}
	name := c.Name
	m.work.background(func(ctx context.Context) func() {
		at, known, err := ed.RevokedAt(ctx, name)
		if err != nil {
			slog.Warn("when a contact was revoked", "contact", name, "err", err)
			return nil
		}
		return func() {
			if known && n.shown == name {
				n.text.SetText(revokedWords(name, at, true))
			}
		}
	})
}
