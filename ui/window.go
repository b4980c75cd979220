package ui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/assets"
	"tincan/core/node"
)

// Options tune the main window.
type Options struct {
	// Icon is the window icon; nil means assets.Icon (NewTray takes the
	// tray's).
	Icon fyne.Resource
	// Tray is the system tray the app set up before it ran (NewTray); with
	// one, closing the window hides it to the tray. nil means no tray, so
	// closing the window quits.
	Tray *Tray
	// NoTray keeps tincan out of the system tray, so closing the window quits.
	NoTray bool
	// HistoryLimit is how many messages a chat loads when opened; 0 means 200.
	HistoryLimit int
	// Hidden starts with the window hidden in the tray (started at login).
	// Without a tray the window shows anyway: a process with no window and
	// no tray icon could not be found again.
	Hidden bool
	// Autostart is the start-at-login switch of the Settings dialog; nil
	// means this build cannot start at login.
	Autostart Autostart
	// Backup writes a backup of the home (Settings → "Back up…"); a nil
	// Export leaves the button out.
	Backup BackupFuncs
}

// Main is tincan's main window: contacts on the left, the selected chat on
// the right. Its fields are used on the UI goroutine only.
type Main struct {
	app  fyne.App
	b    Backend
	w    fyne.Window
	opts Options
	work *worker
	now  func() time.Time

	me       *quietText
	bar      *windowBar
	contacts *contactList
	chat     *chatView
	call     *callPanel // the call in progress, under the toolbar
	calls    callState
	hint     *quietText
	howTo    *quietText
	hintAdd  *widget.Button
	nobody   fyne.CanvasObject

	selected   string
	pending    string // a chat to open once the contact list arrives
	visible    bool
	foreground bool
	loaded     bool // the first contact list has arrived

	listAsked, listShown int // contact list requests, to drop stale answers
	historyAsked         int

	tray         *Tray
	addDialog    *addContactDialog
	cardDialog   *cardDialog
	rotateDialog *rotateDialog
	netDialog    *networkDialog
	settings     *settingsDialog
	details      *detailsDialog             // the contact details, while open
	detailsBtn   *widget.Button             // the chat header's Details
	backBtn      *widget.Button             // the chat header's Back, in a narrow window
	backBox      *fyne.Container            // holds backBtn; hidden in a wide window
	panes        *panes                     // the contact list beside the chat
	rotated      *sheet                     // what a rotation did, while shown
	switcher     *switcher                  // the quick switcher (Ctrl+K), while open
	revokedNote  *revokedNote               // above a revoked contact's chat
	chatPane     *fyne.Container            // the revoked note over the chat
	notes        notes                      // message notifications and their settings
	closeAsk     dialog.Dialog              // the quit-or-keep-running question, while open
	relayAsks    map[string]*relayAskDialog // open consent dialogs by contact
	unsub        func()
	stopOnce     sync.Once
}

// Run builds and shows the main window over b and starts following the
// node's events. The caller creates the app and then calls a.Run(). When a
// system tray is available, closing the window hides it to the tray, and
// opts.Hidden keeps it there from the start; otherwise closing it asks
// whether to quit or keep running in the background. Run sets the app's
// foreground lifecycle hooks.
func Run(a fyne.App, b Backend, opts Options) *Main {
	m := newMain(a, b, opts)
	switch {
	case opts.Hidden && m.tray != nil:
		m.visible = false
		slog.Info("started hidden in the tray")
	case opts.Hidden:
		slog.Warn("showing the window although asked to start hidden: there is no system tray to bring it back from")
		m.w.Show()
	default:
		m.w.Show()
	}
	return m
}

func newMain(a fyne.App, b Backend, opts Options) *Main {
	if opts.Icon == nil {
		opts.Icon = assets.Icon
	}
	if opts.HistoryLimit <= 0 {
		opts.HistoryLimit = 200
	}
	m := &Main{app: a, b: b, opts: opts, work: newWorker(), now: time.Now, visible: true, foreground: true,
		relayAsks: map[string]*relayAskDialog{}}
	m.w = a.NewWindow("tincan")
	m.w.SetIcon(opts.Icon)
	m.build()
	m.w.Resize(fyne.NewSize(920, 620))

	if m.setupTray() {
		m.w.SetCloseIntercept(m.hide)
	} else {
		m.w.SetMaster()
		m.w.SetCloseIntercept(m.askClose)
	}
	m.w.SetOnClosed(m.Stop)
	a.Lifecycle().SetOnEnteredForeground(m.enteredForeground)
	a.Lifecycle().SetOnExitedForeground(func() { m.foreground = false })

	m.setupNotes()
	m.wireChat() // the chat view's paging, links, search (Ctrl+F) and last messages
	m.registerKeys()
	m.follow()
	m.reloadContacts()
	m.work.background(func(context.Context) func() {
		name := b.Name()
		return func() { m.me.SetText(name) }
	})
	return m
}

// Window returns the main window.
func (m *Main) Window() fyne.Window { return m.w }

// OpenChat opens the chat with the contact called name, as soon as the
// contact list has loaded. Call it on the UI goroutine.
func (m *Main) OpenChat(name string) {
	if _, ok := m.contacts.find(name); ok {
		m.selectContact(name)
		return
	}
	m.pending = name
}

// Show shows the window and asks for the focus (the tray's Show, or a
// second start of tincan). Call it on the UI goroutine.
func (m *Main) Show() { m.show() }

// HasTray reports whether tincan put an icon in the system tray (so closing
// the window hides it instead of quitting).
func (m *Main) HasTray() bool { return m.tray != nil }

// Stop stops following the node's events and waits for every call in
// flight. It is safe to call more than once; closing the window calls it.
func (m *Main) Stop() {
	m.stopOnce.Do(func() {
		m.work.cancel()
		if m.unsub != nil {
			m.unsub()
		}
		m.work.stop()
	})
}

// quit stops the window's work, then ends the app's loop (Quit in the
// tray). Stopping first keeps the work's results from reaching the UI once
// the loop has ended, when Fyne would run them on whatever goroutine
// delivers them.
func (m *Main) quit() {
	m.Stop()
	QuitApp(m.app)
}

func (m *Main) build() {
	m.me = newQuietText("", theme.SizeNameText, fyne.TextAlignLeading)
	m.bar = newWindowBar(m.opts.Icon, m.me, []barAction{
		{"Add contact", theme.ContentAddIcon(), m.showAddContact},
		{"My card", theme.AccountIcon(), m.showMyCard},
		{"Network", theme.SettingsIcon(), m.showNetwork},
		{"Settings", theme.MenuIcon(), m.showSettings},
	})
	bar := m.bar.root

	m.contacts = newContactList(m.selectContact)
	m.chat = newChatView(m.send, m.confirmRemove, func() { m.askRelay(m.selected) },
		func() time.Time { return m.now() })

	m.hint = newQuietText("Add a contact to start chatting", theme.SizeNameText, fyne.TextAlignCenter)
	m.hintAdd = widget.NewButtonWithIcon("Add contact", theme.ContentAddIcon(), m.showAddContact)
	m.hintAdd.Importance = widget.HighImportance
	bigIcon := canvas.NewImageFromResource(theme.MailComposeIcon())
	bigIcon.FillMode = canvas.ImageFillContain
	bigIcon.SetMinSize(fyne.NewSquareSize(64))
	m.howTo = newQuietText("Trade cards with someone you trust:\ngive them yours (My card) and add theirs.",
		theme.SizeNameCaptionText, fyne.TextAlignCenter)
	m.howTo.Wrapping = fyne.TextWrapOff
	m.nobody = container.NewCenter(container.NewVBox(bigIcon, m.hint, m.howTo, container.NewCenter(m.hintAdd)))
	m.chat.root.Hide()

	m.call = m.buildCall()

	m.addDetailsButton()
	m.addBackButton()
	m.revokedNote = newRevokedNote()
	m.chatPane = container.NewBorder(m.revokedNote.root, nil, nil, nil, m.chat.root)
	m.panes = newPanes(m.contacts.root, container.NewStack(m.nobody, m.chatPane), m.app.Preferences(), m.chatShown)
	m.panes.onNarrow = m.setNarrow
	content := container.New(windowLayout{m.call},
		container.NewVBox(container.NewPadded(bar), widget.NewSeparator()), m.call.root, m.panes.root)
	m.call.holder = content
	m.w.SetContent(content)
}

// follow starts the goroutine that hands the node's events to the UI.
func (m *Main) follow() {
	events, unsub := m.b.Subscribe()
	m.unsub = unsub
	m.work.loop(func(ctx context.Context) {
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				m.work.toUI(func() { m.onEvent(ev) })
			}
		}
	})
}

// reloadContacts fetches the contact list, dropping answers that arrive
// after a newer one.
func (m *Main) reloadContacts() {
	m.listAsked++
	n := m.listAsked
	m.work.background(func(ctx context.Context) func() {
		cs, err := m.b.Contacts(ctx)
		if err != nil {
			slog.Error("load contacts", "err", err)
			return nil
		}
		return func() { m.showContacts(n, cs) }
	})
}

// markRead marks name's messages read, then refreshes the list's badges.
func (m *Main) markRead(name string) {
	m.clearNote(name)
	m.listAsked++
	n := m.listAsked
	m.work.background(func(ctx context.Context) func() {
		if err := m.b.MarkRead(ctx, name); err != nil {
			slog.Error("mark read", "contact", name, "err", err)
		}
		cs, err := m.b.Contacts(ctx)
		if err != nil {
			slog.Error("load contacts", "err", err)
			return nil
		}
		return func() { m.showContacts(n, cs) }
	})
}

func (m *Main) showContacts(n int, cs []node.ContactView) {
	if n < m.listShown {
		return
	}
	m.listShown = n
	m.loaded = true
	m.contacts.set(cs)
	if _, ok := m.contacts.find(m.pending); ok {
		m.selectContact(m.pending)
		m.pending = ""
	}
	if m.selected != "" {
		if c, ok := m.contacts.find(m.selected); ok {
			m.chat.show(c)
		} else {
			m.selectContact("")
		}
	}
	m.updateHint()
	m.updateTray()
	m.updateRevokedNote()
}

func (m *Main) updateHint() {
	if len(m.contacts.items) == 0 {
		m.hint.SetText("Add a contact to start chatting")
		m.howTo.Show()
		m.hintAdd.Show()
	} else {
		m.hint.SetText("Select a contact to start chatting")
		m.howTo.Hide()
		m.hintAdd.Hide()
	}
	m.nobody.Refresh()
	m.panes.relayout() // a narrow window shows the list, or the chat side
}

// selectContact opens name's chat ("" closes it) and loads its history.
func (m *Main) selectContact(name string) {
	if name == m.selected {
		return
	}
	m.selected = name
	m.contacts.selectName(name)
	m.historyAsked++
	c, ok := m.contacts.find(name)
	if !ok {
		m.selected = ""
		m.updateRevokedNote()
		m.chat.root.Hide()
		m.nobody.Show()
		m.updateHint()
		return
	}
	m.nobody.Hide()
	m.chat.show(c)
	m.chat.root.Show()
	m.updateRevokedNote()
	m.panes.relayout()   // a narrow window shows the chat over the list
	m.chatPane.Refresh() // lay the chat out: it was hidden
	m.w.Canvas().Focus(m.chat.entry)

	n := m.historyAsked
	m.work.background(func(ctx context.Context) func() {
		msgs, err := m.b.History(ctx, name, m.opts.HistoryLimit)
		if err != nil {
			slog.Error("load history", "contact", name, "err", err)
			return nil
		}
		return func() {
			if m.selected == name && m.historyAsked == n {
				m.chat.setHistory(msgs)
			}
		}
	})
	if m.attentive() {
		m.clearNote(name)
	}
	if c.Unread > 0 && m.attentive() {
		m.markRead(name)
	}
}

// attentive reports whether the user can see the open chat.
func (m *Main) attentive() bool { return m.visible && m.foreground }

// send sends what the message box holds to the open chat's contact.
func (m *Main) send() {
	name := m.selected
	text := strings.TrimRight(m.chat.entry.Text, " \t\r\n")
	if name == "" || strings.TrimSpace(text) == "" {
		return
	}
	m.chat.entry.SetText("")
	m.w.Canvas().Focus(m.chat.entry)
	m.work.background(func(ctx context.Context) func() {
		msg, err := m.b.Send(ctx, name, text)
		return func() {
			if err != nil {
				if m.selected == name && m.chat.entry.Text == "" {
					m.chat.entry.SetText(text)
				}
				showPlainError(m.w, "Could not send to "+name, err)
				return
			}
			if m.selected == msg.Contact || (msg.Contact == "" && m.selected == name) {
				m.chat.upsert(msg)
			}
		}
	})
}

func (m *Main) confirmRemove() { m.confirmRemoveName(m.selected) }

// confirmRemoveName asks before removing the contact called name.
func (m *Main) confirmRemoveName(name string) {
	if name == "" {
		return
	}
	msg := fmt.Sprintf("Remove %s from your contacts?\nTo talk again, you will need their card.", name)
	dialog.ShowConfirm("Remove contact", msg, func(ok bool) {
		if !ok {
			return
		}
		m.work.background(func(ctx context.Context) func() {
			err := m.b.RemoveContact(ctx, name)
			return func() {
				if err != nil {
					showPlainError(m.w, "Could not remove "+name, err)
					return
				}
				if m.selected == name {
					m.selectContact("")
				}
				m.reloadContacts()
			}
		})
	}, m.w)
}

// hide puts the window away to the tray.
func (m *Main) hide() {
	m.visible = false
	m.w.Hide()
}

// show brings the window back from the tray.
func (m *Main) show() {
	m.w.Show()
	m.w.RequestFocus()
	m.visible = true
	m.readOpenChat()
}

func (m *Main) enteredForeground() {
	m.foreground = true
	m.readOpenChat()
}

// readOpenChat marks the open chat read if it has unread messages.
func (m *Main) readOpenChat() {
	if m.selected != "" && m.attentive() {
		m.clearNote(m.selected)
	}
	if c, ok := m.contacts.find(m.selected); ok && c.Unread > 0 && m.attentive() {
		m.markRead(c.Name)
	}
}
