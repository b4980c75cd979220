package ui

import (
	"context"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"tincan/core/node"
)

// wireChat connects the chat's history paging, links, search (Ctrl+F), the
// contact list's last messages and the unread count in the window title to
// the window. newMain calls it once the views are built; calling it again
// does nothing.
func (m *Main) wireChat() {
	if m.chat.page != nil {
		return
	}
	m.chat.historyLimit = m.opts.HistoryLimit
	m.chat.page = func(name string, older bool, anchor string, done func([]node.MessageView, error)) {
		m.work.background(func(ctx context.Context) func() {
			var msgs []node.MessageView
			var err error
			if older {
				msgs, err = m.b.HistoryBefore(ctx, name, anchor, pageSize)
			} else {
				msgs, err = m.b.HistoryAfter(ctx, name, anchor, pageSize)
			}
			return func() { done(msgs, err) }
		})
	}
	m.chat.latest = func(name string, done func([]node.MessageView, error)) {
		m.work.background(func(ctx context.Context) func() {
			msgs, err := m.b.History(ctx, name, pageSize)
			return func() { done(msgs, err) }
		})
	}
	m.chat.tl.onLink = func(u string) {
		confirmLink(m.w, u, func(parsed *url.URL) {
			if err := m.app.OpenURL(parsed); err != nil {
				showPlainError(m.w, "Could not open the link", err)
			}
		})
	}
	m.contacts.onSet = func() {
		m.showUnreadTitle()
		m.loadLastMessages()
	}
	m.w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { m.showSearch() })
	if m.loaded {
		m.contacts.onSet()
	}
}

// loadLastMessages fetches each contact's newest message for the list.
func (m *Main) loadLastMessages() {
	m.work.background(func(ctx context.Context) func() {
		last, err := m.b.LastMessages(ctx)
		if err != nil {
			return nil
		}
		return func() { m.contacts.setLast(last) }
	})
}
