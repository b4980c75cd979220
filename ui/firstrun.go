package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/assets"
)

// firstRun is the welcome window: it asks for a display name and creates the
// identity.
type firstRun struct {
	w        fyne.Window
	work     *worker
	create   func(name string) error
	done     func()
	name     *widget.Entry
	button   *widget.Button
	progress *widget.ProgressBarInfinite
	working  *widget.Label
	box      *fyne.Container
	finished bool        // create (or a restore) succeeded
	restore  BackupFuncs // Import set: the window offers to restore a backup
}

// FirstRun shows the welcome window, which asks for the user's display name
// and runs create(name) on a goroutine (key generation is slow) while it
// shows progress. On success it calls done on the UI goroutine and hides
// the window; it does not close it, so the app does not quit before done's
// next window opens (the caller may Close the returned window then). Errors
// are shown in a dialog and the user can try again.
func FirstRun(a fyne.App, create func(name string) error, done func()) fyne.Window {
	return FirstRunWithRestore(a, create, BackupFuncs{}, done)
}

// FirstRunWithRestore is FirstRun with a "Restore from a backup…" button
// (shown when restore.Import is set): a restored home then opens as a
// created one does, through done.
func FirstRunWithRestore(a fyne.App, create func(name string) error, restore BackupFuncs, done func()) fyne.Window {
	w := a.NewWindow("Welcome to tincan")
	w.SetIcon(assets.Icon)
	f := newFirstRun(w, create, done)
	f.restore = restore
	w.SetContent(f.content())
	w.Resize(fyne.NewSize(480, 0))
	w.CenterOnScreen()
	w.Show()
	w.Canvas().Focus(f.name)
	return w
}

func newFirstRun(w fyne.Window, create func(string) error, done func()) *firstRun {
	f := &firstRun{w: w, work: newWorker(), create: create, done: done}
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder("Your name, e.g. Ana")
	f.name.Validator = func(s string) error { return checkName(strings.TrimSpace(s)) }
	f.button = widget.NewButtonWithIcon("Create my identity", theme.ConfirmIcon(), f.start)
	f.button.Importance = widget.HighImportance
	f.button.Disable()
	// The form owns the entry's validation callback (it shows the error
	// under the field), so the button follows the text instead.
	f.name.OnChanged = func(s string) {
		if checkName(strings.TrimSpace(s)) == nil {
			f.button.Enable()
		} else {
			f.button.Disable()
		}
	}
	f.name.OnSubmitted = func(string) { f.start() }
	f.progress = widget.NewProgressBarInfinite()
	f.progress.Hide()
	f.working = widget.NewLabel("Generating your keys…")
	f.working.Alignment = fyne.TextAlignCenter
	f.working.Hide()
	// The window may close while keys are generated; the result is then
	// dropped. create cannot be cancelled, so nothing waits for it.
	w.SetOnClosed(f.work.cancel)
	return f
}

func (f *firstRun) content() fyne.CanvasObject {
	logo := canvas.NewImageFromResource(assets.Icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(96))
	title := widget.NewLabelWithStyle("Welcome to tincan", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel("tincan connects you straight to the people you trust, with no server " +
		"in between. Choose the name your contacts will see; your keys are made on this computer " +
		"and never leave it.")
	intro.Wrapping = fyne.TextWrapWord
	intro.Alignment = fyne.TextAlignCenter
	form := widget.NewForm(&widget.FormItem{Text: "Display name", Widget: f.name,
		HintText: "Shown to the people you give your card to"})
	f.box = container.NewVBox(layout.NewSpacer(),
		container.NewCenter(logo), title, intro, form,
		container.NewHBox(f.restoreButton(), layout.NewSpacer(), f.button),
		f.progress, f.working, layout.NewSpacer())
	return container.NewPadded(f.box)
}

// start runs create on a goroutine, showing progress meanwhile.
func (f *firstRun) start() {
	name := strings.TrimSpace(f.name.Text)
	if f.button.Disabled() || checkName(name) != nil {
		return
	}
	f.busy(true)
	f.work.background(func(context.Context) func() {
		err := f.create(name)
		return func() {
			if err != nil {
				f.busy(false)
				showPlainError(f.w, "Could not create your identity", err)
				return
			}
			f.finished = true
			f.done()
			f.w.Hide()
		}
	})
}

func (f *firstRun) busy(on bool) {
	if on {
		f.name.Disable()
		f.button.Disable()
		f.progress.Show()
		f.progress.Start()
		f.working.Show()
		f.box.Refresh()
		return
	}
	f.progress.Stop()
	f.progress.Hide()
	f.working.Hide()
	f.name.Enable()
	f.button.Enable()
	f.box.Refresh()
}

// restoreButton offers to restore a backup instead of creating an identity;
// an empty box when this app cannot restore.
func (f *firstRun) restoreButton() fyne.CanvasObject {
	if f.restore.Import == nil {
		return layout.NewSpacer()
	}
	return widget.NewButtonWithIcon("Restore from a backup…", theme.DownloadIcon(), func() {
		ShowImport(f.w, f.restore, func() {
			f.finished = true
			f.done()
			f.w.Hide()
		})
	})
}
