//go:build !windows && !darwin

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnableWritesTheDesktopEntryAndDisableRemovesIt(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	want := filepath.Join(cfg, "autostart", "tincan.desktop")
	if p, err := Path(); err != nil || p != want {
		t.Fatalf("the entry should live at %s, Path gave %q, %v", want, p, err)
	}
	if on, err := Enabled(); err != nil || on {
		t.Fatalf("with no entry written, start at login should be off, got %v, %v", on, err)
	}

	err := Enable("/opt/tin can/tincan", []string{"--hidden", "--home", "/home/ana/my tincan"})
	if err != nil {
		t.Fatalf("Enable: %v", err)
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("Enable should write %s: %v", want, err)
	}
	text := string(data)
	exec := `Exec="/opt/tin can/tincan" --hidden --home "/home/ana/my tincan"`
	for _, line := range []string{"[Desktop Entry]", "Type=Application", "Name=tincan", exec} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("the entry should contain the line %q; it reads:\n%s", line, text)
		}
	}
	if on, err := Enabled(); err != nil || !on {
		t.Fatalf("after Enable start at login should be on, got %v, %v", on, err)
	}
	st, err := os.Stat(want)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("the entry should be readable by the desktop (0644), got %v, %v", st.Mode(), err)
	}

	if err := Enable("/usr/bin/tincan", []string{"--hidden"}); err != nil {
		t.Fatalf("a second Enable should replace the entry: %v", err)
	}
	data, _ = os.ReadFile(want)
	if !strings.Contains(string(data), "Exec=/usr/bin/tincan --hidden\n") {
		t.Fatalf("the replaced entry should start the new command; it reads:\n%s", data)
	}
	if left, _ := filepath.Glob(filepath.Join(cfg, "autostart", ".tincan-*")); len(left) != 0 {
		t.Fatalf("no temporary file should be left behind, found %v", left)
	}

	if err := Disable(); err != nil {
		t.Fatalf("Disable: %v", err)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Fatalf("Disable should remove %s, stat says %v", want, err)
	}
	if on, err := Enabled(); err != nil || on {
		t.Fatalf("after Disable start at login should be off, got %v, %v", on, err)
	}
	if err := Disable(); err != nil {
		t.Fatalf("Disable with nothing to remove should succeed, got %v", err)
	}
}

func TestPathFallsBackToDotConfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, v := range []string{"", "relative/dir"} {
		t.Setenv("XDG_CONFIG_HOME", v)
		p, err := Path()
		if want := filepath.Join(home, ".config", "autostart", "tincan.desktop"); err != nil || p != want {
			t.Errorf("with XDG_CONFIG_HOME=%q the entry should be %s, got %q, %v", v, want, p, err)
		}
	}
}

func TestSwitchDrivesTheEntry(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s := Switch{Exe: "/usr/bin/tincan", Args: []string{"--hidden"}}
	if err := s.SetEnabled(true); err != nil {
		t.Fatal(err)
	}
	if on, err := s.Enabled(); !on || err != nil {
		t.Fatalf("switching on should enable start at login, got %v, %v", on, err)
	}
	if err := s.SetEnabled(false); err != nil {
		t.Fatal(err)
	}
	if on, err := s.Enabled(); on || err != nil {
		t.Fatalf("switching off should disable start at login, got %v, %v", on, err)
	}
	if err := (Switch{}).SetEnabled(true); err != ErrNoExe {
		t.Fatalf("a switch with no program should refuse with ErrNoExe, got %v", err)
	}
}
