package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/autostart"
)

// The start-at-login switch writes and removes the XDG autostart entry;
// build/settings.png shows the dialog as a user with it on sees it, with
// the notification setting and the real backup.
func TestSettingsSwitchWritesAndRemovesTheAutostartEntry(t *testing.T) {
	backup := realBackup(t)
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	entry := filepath.Join(cfg, "autostart", "tincan.desktop")
	b := &editBackend{memBackend: newMemBackend("Sam")}
	m, p := openWith(t, b, Options{Backup: backup, Autostart: autostart.Switch{
		Exe: "/usr/bin/tincan", Args: []string{"--hidden", "--home", "/home/me/other tincan"}}})
	fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantLight})

	test.Tap(findButton(t, m.w, "Settings"))
	d := m.settings
	if d == nil {
		t.Fatal("the Settings button should open the settings dialog")
	}
	p.until(t, "the start-at-login switch is read", func() bool { return !d.login.Disabled() })
	if d.login.Checked {
		t.Fatal("starting at login should be off by default")
	}

	test.Tap(d.login)
	p.until(t, "the switch is applied", func() bool { return !d.login.Disabled() })
	data, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("switching on should write %s: %v", entry, err)
	}
	if want := `Exec=/usr/bin/tincan --hidden --home "/home/me/other tincan"` + "\n"; !strings.Contains(string(data), want) {
		t.Fatalf("the entry should start tincan hidden on this home (%q); it reads:\n%s", want, data)
	}
	if !d.login.Checked || d.problem.Visible() {
		t.Fatalf("the switch should stay on with no problem shown (checked %v, problem %q)", d.login.Checked, d.problem.Text)
	}
	p.settle()
	capture(t, m.w, "settings")
	checkRealSettings(t, m, "settings")

	// Closed and opened again, the dialog reads the setting from disk.
	test.Tap(findButton(t, m.w, "Close"))
	if m.settings != nil {
		t.Fatal("Close should close the settings dialog")
	}
	test.Tap(findButton(t, m.w, "Settings"))
	d = m.settings
	p.until(t, "the switch is read again", func() bool { return !d.login.Disabled() })
	if !d.login.Checked {
		t.Fatal("opened again, the dialog should show starting at login on")
	}

	test.Tap(d.login)
	p.until(t, "the switch is applied", func() bool { return !d.login.Disabled() })
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Fatalf("switching off should remove %s, stat says %v", entry, err)
	}
	if d.login.Checked {
		t.Fatal("the switch should show off after switching off")
	}
}

// failingAutostart is a start-at-login setting that cannot be changed.
type failingAutostart struct {
	mu sync.Mutex
	on bool
}

func (f *failingAutostart) Enabled() (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.on, nil
}

func (f *failingAutostart) SetEnabled(bool) error { return errors.New("the folder is read-only") }

func TestSettingsSwitchShowsWhyItFailed(t *testing.T) {
	test.NewTempApp(t)
	p := newPump(t)
	m := Run(test.NewTempApp(t), newMemBackend("Me"), Options{Autostart: &failingAutostart{}})
	t.Cleanup(m.Stop)
	m.showSettings()
	d := m.settings
	p.until(t, "the switch is read", func() bool { return !d.login.Disabled() })
	test.Tap(d.login)
	p.until(t, "the failure shows", func() bool { return d.problem.Visible() })
	if d.login.Checked {
		t.Fatal("a switch that could not be applied should go back to off")
	}
	if want := "Could not change starting at login: the folder is read-only."; d.problem.Text != want {
		t.Fatalf("the dialog should say %q, it says %q", want, d.problem.Text)
	}
}

func TestSettingsWithoutAutostartSaysSo(t *testing.T) {
	m, p := open(t, newMemBackend("Me"))
	m.showSettings()
	p.settle()
	d := m.settings
	if !d.login.Disabled() || !d.problem.Visible() {
		t.Fatal("with no start-at-login support the switch should be disabled and the dialog should say why")
	}
}

// Settings offers "Back up…" when the app can back up, and it opens the
// backup dialog; without it, no button.
func TestSettingsOffersABackupWhenTheAppCanMakeOne(t *testing.T) {
	test.NewTempApp(t)
	p := newPump(t)
	backup := BackupFuncs{Export: func(context.Context, string, []byte, func(int64, int64)) error { return nil }}
	m := Run(test.NewTempApp(t), newMemBackend("Me"), Options{Autostart: &failingAutostart{}, Backup: backup})
	t.Cleanup(m.Stop)
	p.until(t, "the contact list loads", func() bool { return m.loaded })
	m.showSettings()
	test.Tap(findButton(t, m.w, "Back up…"))
	p.until(t, "the backup dialog opens", func() bool {
		for _, l := range shown[*widget.Label](m.w) {
			if strings.Contains(l.Text, "encrypted with a passphrase") {
				return true
			}
		}
		return false
	})

	bare := Run(test.NewTempApp(t), newMemBackend("Me"), Options{Autostart: &failingAutostart{}})
	t.Cleanup(bare.Stop)
	bare.showSettings()
	for _, b := range shown[*widget.Button](bare.w) {
		if b.Text == "Back up…" {
			t.Fatal("Settings offers a backup in an app that cannot make one")
		}
	}
}
