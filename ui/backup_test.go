package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestBackupDialogChecksThenRunsOffTheUIGoroutine(t *testing.T) {
	test.NewTempApp(t)
	p := newPump(t)
	w := test.NewWindow(nil)
	defer w.Close()
	type call struct {
		file, pass string
	}
	calls := make(chan call, 1)
	release := make(chan error)
	f := BackupFuncs{Export: func(ctx context.Context, file string, pass []byte, progress func(int64, int64)) error {
		progress(50, 100)
		calls <- call{file, string(pass)}
		return <-release
	}}
	d := newBackupDialog(w, true, f, nil)
	d.dlg.Show()
	defer d.work.stop()

	test.Tap(d.ok)
	if !d.problem.Visible() || d.problem.Text != "Choose a file first." {
		t.Fatalf("backing up with no file says %q, want a plain request to choose one", d.problem.Text)
	}
	d.setFile("/tmp/x.tincan", false)
	test.Type(d.pass, "passphrase one")
	test.Type(d.again, "passphrase two")
	test.Tap(d.ok)
	if d.problem.Text != "The two passphrases differ." || d.running {
		t.Fatalf("different passphrases: %q (running %v), want them refused", d.problem.Text, d.running)
	}
	d.again.SetText("passphrase one")
	test.Tap(d.ok)
	got := <-calls // the UI goroutine (this one) is free while Export runs
	if got.file != "/tmp/x.tincan" || got.pass != "passphrase one" || !d.running || !d.ok.Disabled() {
		t.Fatalf("export ran with %+v (running %v, button disabled %v)", got, d.running, d.ok.Disabled())
	}
	p.until(t, "the progress bar to show half", func() bool { return d.progress.Value == 0.5 })
	release <- errors.New("wrong passphrase or damaged backup")
	p.until(t, "the error to show", func() bool { return !d.running })
	if d.problem.Text != "Wrong passphrase or damaged backup." || d.ok.Disabled() || d.progress.Visible() {
		t.Errorf("after a failure the dialog shows %q (button disabled %v, progress shown %v)", d.problem.Text, d.ok.Disabled(), d.progress.Visible())
	}
	test.Tap(d.ok)
	<-calls
	release <- nil
	p.until(t, "the dialog to close after success", func() bool { return !d.running })
	if d.problem.Visible() || d.progress.Visible() {
		t.Errorf("after success the error is still shown: %q", d.problem.Text)
	}
}

func TestImportDialogHasOnePassphraseAndCallsDone(t *testing.T) {
	test.NewTempApp(t)
	p := newPump(t)
	w := test.NewWindow(nil)
	defer w.Close()
	done := false
	f := BackupFuncs{Import: func(ctx context.Context, file string, pass []byte, progress func(int64, int64)) error {
		if file != "/b" || string(pass) != "secret words" {
			return errors.New("unexpected arguments")
		}
		return nil
	}}
	d := newBackupDialog(w, false, f, func() { done = true })
	d.dlg.Show()
	defer d.work.stop()
	if d.again.Visible() {
		t.Error("the restore dialog asks for the passphrase twice")
	}
	d.setFile("/b", false)
	test.Type(d.pass, "secret words")
	test.Tap(d.ok)
	p.until(t, "done after the restore", func() bool { return done })
}
