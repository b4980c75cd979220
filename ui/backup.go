package ui

import (
	"context"
	"errors"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// BackupFuncs do the work of the backup dialogs, off the UI goroutine; the
// app wires them to core/backup for its home and keystore. progress may be
// called from any goroutine.
type BackupFuncs struct {
	// Export writes a backup of the home to file, encrypted with passphrase.
	Export func(ctx context.Context, file string, passphrase []byte, progress func(done, total int64)) error
	// Import restores the backup in file into the home.
	Import func(ctx context.Context, file string, passphrase []byte, progress func(done, total int64)) error
}

// backupDialog is the export or the import dialog.
type backupDialog struct {
	w        fyne.Window
	export   bool
	funcs    BackupFuncs
	done     func()
	work     *worker
	file     string
	created  bool // the file chooser created an empty file we may remove
	fileLine *widget.Label
	pass     *widget.Entry
	again    *widget.Entry
	progress *widget.ProgressBar
	problem  *widget.Label
	ok       *widget.Button
	cancel   *widget.Button
	dlg      *dialog.CustomDialog
	running  bool
}

// ShowExport opens the "Back up" dialog: the user chooses a file and types a
// passphrase twice; the backup is written off the UI goroutine with a
// progress bar, and errors are shown in the dialog in plain words.
func ShowExport(w fyne.Window, f BackupFuncs) { newBackupDialog(w, true, f, nil).dlg.Show() }

// ShowImport opens the "Restore" dialog: the user chooses a backup file and
// types its passphrase; after a successful restore, done runs on the UI
// goroutine (it may open the restored home).
func ShowImport(w fyne.Window, f BackupFuncs, done func()) {
	newBackupDialog(w, false, f, done).dlg.Show()
}

func newBackupDialog(w fyne.Window, export bool, f BackupFuncs, done func()) *backupDialog {
	d := &backupDialog{w: w, export: export, funcs: f, done: done, work: newWorker()}
	title, intro, action := "Restore from a backup",
		"Choose a backup file made with \"Back up\" and type its passphrase. Your identity, contacts and history are restored here.",
		"Restore"
	if export {
		title, intro, action = "Back up",
			"The backup holds your identity, contacts and history, encrypted with a passphrase. "+
				"Keep the passphrase safe: without it the backup cannot be opened.",
			"Back up"
	}
	introLabel := widget.NewLabel(intro)
	introLabel.Wrapping = fyne.TextWrapWord
	d.fileLine = widget.NewLabel("No file chosen.")
	d.fileLine.Truncation = fyne.TextTruncateEllipsis
	choose := widget.NewButton("Choose file…", d.chooseFile)
	d.pass = widget.NewPasswordEntry()
	d.pass.SetPlaceHolder("Passphrase")
	d.again = widget.NewPasswordEntry()
	d.again.SetPlaceHolder("The same passphrase again")
	d.progress = widget.NewProgressBar()
	d.progress.Hide()
	d.problem = widget.NewLabel("")
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Importance = widget.DangerImportance
	d.problem.Hide()
	d.ok = widget.NewButton(action, d.start)
	d.ok.Importance = widget.HighImportance
	d.cancel = widget.NewButton("Cancel", d.close)
	rows := container.NewVBox(introLabel, container.NewBorder(nil, nil, nil, choose, d.fileLine), d.pass)
	if export {
		rows.Add(d.again)
	} else {
		d.again.Hide()
	}
	rows.Add(d.progress)
	rows.Add(d.problem)
	rows.Add(container.NewHBox(d.cancel, d.ok))
	d.dlg = dialog.NewCustomWithoutButtons(title, rows, w)
	d.dlg.Resize(fyne.NewSize(520, 0))
	return d
}

// chooseFile opens the platform's file chooser.
func (d *backupDialog) chooseFile() {
	if d.export {
		fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
			if err != nil {
				d.fail(err)
				return
			}
			if wc == nil {
				return // the user cancelled
			}
			_ = wc.Close()
			d.setFile(wc.URI().Path(), true)
		}, d.w)
		fd.SetFileName("tincan-backup.tincan")
		fd.Show()
		return
	}
	dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			d.fail(err)
			return
		}
		if rc == nil {
			return
		}
		_ = rc.Close()
		d.setFile(rc.URI().Path(), false)
	}, d.w).Show()
}

func (d *backupDialog) setFile(path string, created bool) {
	d.file, d.created = path, created
	d.fileLine.SetText(path)
	d.problem.Hide()
}

// start checks the form and runs the export or import on a goroutine.
func (d *backupDialog) start() {
	if d.running {
		return
	}
	switch {
	case d.file == "":
		d.fail(errors.New("choose a file first"))
		return
	case d.pass.Text == "":
		d.fail(errors.New("type the passphrase"))
		return
	case d.export && d.again.Text != d.pass.Text:
		d.fail(errors.New("the two passphrases differ"))
		return
	}
	file, pass := d.file, []byte(d.pass.Text)
	d.running = true
	d.ok.Disable()
	d.problem.Hide()
	d.progress.SetValue(0)
	d.progress.Show()
	run := d.funcs.Import
	if d.export {
		run = d.funcs.Export
	}
	last := -1
	progress := func(done, total int64) {
		if total <= 0 {
			return
		}
		pct := int(done * 100 / total)
		if pct == last { // at most a hundred updates
			return
		}
		last = pct
		d.work.toUI(func() { d.progress.SetValue(float64(pct) / 100) })
	}
	d.work.background(func(ctx context.Context) func() {
		err := run(ctx, file, pass, progress)
		return func() { d.finish(err) }
	})
}

// finish runs on the UI goroutine when the work has ended.
func (d *backupDialog) finish(err error) {
	d.running = false
	d.ok.Enable()
	d.progress.Hide()
	if err != nil {
		d.fail(err)
		return
	}
	d.created = false
	d.dlg.Hide()
	if d.export {
		dialog.ShowInformation("Backed up", "Your backup is in "+d.file+".", d.w)
		return
	}
	if d.done != nil {
		d.done()
	}
}

func (d *backupDialog) fail(err error) {
	d.problem.SetText(sentence(err.Error()))
	d.problem.Show()
	d.dlg.Resize(d.dlg.MinSize().Max(fyne.NewSize(520, 0)))
}

// close cancels work in flight (it stops at its next chunk and leaves
// nothing behind) and removes an empty file the chooser created.
func (d *backupDialog) close() {
	if file := d.file; d.created {
		d.work.background(func(context.Context) func() {
			if fi, err := os.Stat(file); err == nil && fi.Size() == 0 {
				_ = os.Remove(file)
			}
			return nil
		})
	}
	d.work.cancel()
	d.dlg.Hide()
}
