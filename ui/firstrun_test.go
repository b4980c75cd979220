package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// openFirstRun shows the welcome window with a create function the test
// controls: it blocks until the test sends its result on release.
func openFirstRun(t *testing.T) (*firstRun, *pump, chan error, *atomic.Value, *atomic.Int32) {
	t.Helper()
	test.NewTempApp(t)
	p := newPump(t)
	release := make(chan error, 1)
	var gotName atomic.Value
	var doneCalls atomic.Int32
	w := fyne.CurrentApp().NewWindow("Welcome to tincan")
	f := newFirstRun(w, func(name string) error {
		gotName.Store(name)
		return <-release
	}, func() { doneCalls.Add(1) })
	w.SetContent(f.content())
	w.Resize(fyne.NewSize(480, 460))
	t.Cleanup(func() {
		close(release)
		f.work.stop()
	})
	return f, p, release, &gotName, &doneCalls
}

func TestFirstRunValidatesName(t *testing.T) {
	f, _, _, _, _ := openFirstRun(t)
	if !f.button.Disabled() {
		t.Fatal("the button should wait for a name")
	}
	test.Type(f.name, "Ana")
	if f.button.Disabled() {
		t.Fatal("a good name should enable the button")
	}
	f.name.SetText("   ")
	if !f.button.Disabled() {
		t.Fatal("a blank name must not be accepted")
	}
	f.name.SetText(strings.Repeat("é", 33)) // 66 bytes
	if !f.button.Disabled() || f.name.Validate() == nil {
		t.Fatal("a name over 64 bytes must not be accepted")
	}
	f.name.SetText("Ana\x07")
	if f.name.Validate() == nil {
		t.Fatal("control characters must not be accepted")
	}
	f.name.SetText("Ana Lima")
	if f.button.Disabled() {
		t.Fatal("the button should be enabled again")
	}
}

func TestFirstRunShowsProgressThenDone(t *testing.T) {
	f, p, release, gotName, doneCalls := openFirstRun(t)
	fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantLight})
	test.Type(f.name, "  Ana  ")
	test.Tap(f.button)
	if !f.progress.Visible() || !f.working.Visible() || f.working.Text != "Generating your keys…" {
		t.Fatal("progress should show while keys are generated")
	}
	if !f.name.Disabled() || !f.button.Disabled() {
		t.Fatal("the form should be locked while keys are generated")
	}
	capture(t, f.w, "firstrun-progress")
	release <- nil
	p.until(t, "done is called", func() bool { return doneCalls.Load() == 1 })
	if gotName.Load() != "Ana" {
		t.Fatalf("create got %q, want the trimmed name", gotName.Load())
	}
	if !f.finished {
		t.Fatal("success should be recorded")
	}
	if !slices.Contains(fyne.CurrentApp().Driver().AllWindows(), f.w) {
		t.Fatal("the welcome window must be hidden, not closed: closing the last window quits the app")
	}
}

func TestFirstRunShowsErrorAndAllowsRetry(t *testing.T) {
	f, p, release, _, doneCalls := openFirstRun(t)
	test.Type(f.name, "Ana")
	test.Tap(f.button)
	release <- errors.New("OS keychain unavailable: unlock your keyring")
	p.until(t, "the error dialog shows", func() bool { return len(f.w.Canvas().Overlays().List()) > 0 })
	if doneCalls.Load() != 0 {
		t.Fatal("done must not be called on failure")
	}
	if f.progress.Visible() || f.button.Disabled() || f.name.Disabled() {
		t.Fatal("after an error the form should be usable again")
	}
	if !overlayShows(f.w, "unlock your keyring") {
		t.Fatal("the dialog should show the error")
	}
	capture(t, f.w, "firstrun-error")
}

func TestFirstRunWindow(t *testing.T) {
	test.NewTempApp(t)
	newPump(t)
	fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantLight})
	w := FirstRun(fyne.CurrentApp(), func(string) error { return nil }, func() {})
	if w.Title() != "Welcome to tincan" {
		t.Fatalf("title = %q", w.Title())
	}
	w.Resize(fyne.NewSize(480, 460))
	capture(t, w, "firstrun")
	w.Close()
}

// The welcome window offers to restore a backup; a restore finishes first
// run as creating an identity does.
func TestFirstRunRestoresABackup(t *testing.T) {
	a := test.NewTempApp(t)
	p := newPump(t)
	done := false
	restore := BackupFuncs{Import: func(context.Context, string, []byte, func(int64, int64)) error { return nil }}
	w := FirstRunWithRestore(a, func(string) error { return errors.New("not this way") }, restore, func() { done = true })
	defer w.Close()
	test.Tap(findButton(t, w, "Restore from a backup…"))
	var d *widget.Entry
	p.until(t, "the restore dialog asks for the passphrase", func() bool {
		for _, e := range shown[*widget.Entry](w) {
			if e.Password {
				d = e
				return true
			}
		}
		return false
	})
	_ = d
	plain := FirstRun(a, func(string) error { return nil }, func() {})
	defer plain.Close()
	for _, b := range shown[*widget.Button](plain) {
		if b.Text == "Restore from a backup…" {
			t.Fatal("the welcome window offers a restore it cannot do")
		}
	}
	if done {
		t.Fatal("first run finished before anything was restored")
	}
}
