package ui

import (
	"context"
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Autostart turns starting tincan at login on and off (autostart.Switch).
// Its methods touch the disk or the registry: the UI calls them off the UI
// goroutine.
type Autostart interface {
	Enabled() (bool, error)
	SetEnabled(on bool) error
}

// settingsWidth is the settings dialog's width.
const settingsWidth = 480

// settingsDialog holds the app's own settings: start at login.
type settingsDialog struct {
	login    *widget.Check
	noteText *widget.Check // show message text in notifications
	problem  *widget.Label
	sheet    *sheet
	dlg      *dialog.CustomDialog

	applying bool // the code, not the user, is setting the check
	busy     int  // changes in flight
}

// showSettings opens the settings dialog and reads whether tincan starts at
// login.
func (m *Main) showSettings() {
	if m.settings != nil {
		return
	}
	d := &settingsDialog{}
	m.settings = d
	d.login = widget.NewCheck("Start tincan when I log in", func(on bool) { m.setAutostart(d, on) })
	d.login.Disable()
	words := "It starts hidden in the tray, ready for messages and calls."
	if m.tray == nil {
		words = "This desktop has no tray, so it starts with its window open."
	}
	hint := hintText(words)
	d.problem = problemLabel()
	closeBtn := widget.NewButton("Close", nil)
	body := container.NewVBox(d.login, hint)
	if ns, ok := m.b.(NotifySettings); ok {
		d.noteText = widget.NewCheck("Show message text in notifications", func(on bool) { m.setNoteText(d, ns, on) })
		d.noteText.Checked = !m.notes.hideText
		body.Add(widget.NewSeparator())
		body.Add(d.noteText)
		body.Add(hintText("Off: a notification says who wrote, not what. Mute a contact in their details."))
	}
	body.Add(d.problem)
	if m.opts.Backup.Export != nil {
		backupHint := hintText("One file with your identity, contacts and history, locked with a passphrase: " +
			"restore it on a new computer.")
		backupBtn := widget.NewButtonWithIcon("Back up…", theme.DocumentSaveIcon(), func() { ShowExport(m.w, m.opts.Backup) })
		body.Add(widget.NewSeparator())
		body.Add(container.NewHBox(backupBtn))
		body.Add(backupHint)
	}
	d.sheet = newSheet(m.w, "Settings", settingsWidth, body, nil, closeBtn)
	d.dlg = d.sheet.dlg
	closeBtn.OnTapped = d.dlg.Hide
	d.dlg.SetOnClosed(func() {
		if m.settings == d {
			m.settings = nil
		}
	})
	d.sheet.show()

	as := m.opts.Autostart
	if as == nil {
		d.fail(fmt.Errorf("starting at login is not available in this build"))
		return
	}
	m.work.background(func(context.Context) func() {
		on, err := as.Enabled()
		return func() {
			if err != nil {
				d.fail(fmt.Errorf("could not tell whether tincan starts at login: %w", err))
				return
			}
			d.set(on)
			d.login.Enable()
		}
	})
}

// setAutostart turns starting at login on or off as the user asked, and
// puts the check back if that fails.
func (m *Main) setAutostart(d *settingsDialog, on bool) {
	if d.applying {
		return
	}
	as := m.opts.Autostart
	d.busy++
	d.login.Disable()
	d.problem.Hide()
	m.work.background(func(context.Context) func() {
		err := as.SetEnabled(on)
		now, rerr := as.Enabled()
		return func() {
			d.busy--
			if d.busy == 0 {
				d.login.Enable()
			}
			if err != nil {
				slog.Error("start at login", "on", on, "err", err)
				d.fail(fmt.Errorf("could not change starting at login: %w", err))
			}
			if rerr == nil {
				d.set(now)
			}
		}
	})
}

// set shows whether tincan starts at login without acting on it.
func (d *settingsDialog) set(on bool) {
	d.applying = true
	d.login.SetChecked(on)
	d.applying = false
}

// fail shows err inside the dialog.
func (d *settingsDialog) fail(err error) {
	d.problem.SetText(sentence(err.Error()))
	d.problem.Show()
	d.sheet.fit()
	d.sheet.reveal(d.problem)
}

// setNoteText turns message text in notifications on or off, and puts the
// check back if the node cannot keep it.
func (m *Main) setNoteText(d *settingsDialog, ns NotifySettings, on bool) {
	m.notes.hideText = !on
	m.work.background(func(ctx context.Context) func() {
		err := ns.SetNotifyText(ctx, on)
		return func() {
			if err != nil {
				m.notes.hideText = on
				d.noteText.Checked = !on
				d.noteText.Refresh()
				d.fail(fmt.Errorf("could not change the notification setting: %w", err))
			}
		}
	})
}
