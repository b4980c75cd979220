//go:build !windows && !darwin

package autostart

import (
	"fmt"
	"os"
	"path/filepath"
)

// Path is the autostart entry's file: tincan.desktop in the autostart
// directory of $XDG_CONFIG_HOME (or ~/.config when it is unset or not
// absolute, as the XDG Base Directory Specification says).
func Path() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the autostart folder: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", Name+".desktop"), nil
}

// Enable makes the desktop start exe with args at login.
func Enable(exe string, args []string) error {
	if exe == "" {
		return ErrNoExe
	}
	p, err := Path()
	if err != nil {
		return err
	}
	return writeFile(p, []byte(desktopEntry(exe, args)))
}
