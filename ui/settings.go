package ui

import (
	"context"
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
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
	login   *widget.Check
	problem *widget.Label
	dlg     *dialog.CustomDialog

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
	hint := newQuietText(words, theme.SizeNameCaptionText, fyne.TextAlignLeading)
	hint.Truncation = fyne.TextTruncateOff
	hint.Wrapping = fyne.TextWrapWord
	d.problem = widget.NewLabel("")
	d.problem.Importance = widget.DangerImportance
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Hide()
	closeBtn := widget.NewButton("Close", nil)
	body := container.NewVBox(d.login, hint, d.problem)
	if m.opts.Backup.Export != nil {
		backupHint := newQuietText("One file with your identity, contacts and history, locked with a passphrase: "+
			"restore it on a new computer.", theme.SizeNameCaptionText, fyne.TextAlignLeading)
		backupHint.Truncation = fyne.TextTruncateOff
		backupHint.Wrapping = fyne.TextWrapWord
		backupBtn := widget.NewButtonWithIcon("Back up…", theme.DocumentSaveIcon(), func() { ShowExport(m.w, m.opts.Backup) })
		body.Add(widget.NewSeparator())
		body.Add(container.NewHBox(backupBtn))
		body.Add(backupHint)
	}
	d.dlg = dialog.NewCustomWithoutButtons("Settings",
		container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), closeBtn), nil, nil, body), m.w)
	closeBtn.OnTapped = d.dlg.Hide
	d.dlg.SetOnClosed(func() {
		if m.settings == d {
			m.settings = nil
		}
	})
	d.dlg.Resize(fyne.NewSize(settingsWidth, 0).Max(d.dlg.MinSize()))
	d.dlg.Show()

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
	d.dlg.Resize(fyne.NewSize(settingsWidth, 0).Max(d.dlg.MinSize()))
}
