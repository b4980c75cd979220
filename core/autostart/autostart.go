package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Name is the entry's name: the .desktop file's and the plist's base
// name, and the Run key's value name.
const Name = "tincan"

// Label is the LaunchAgent's label (the app's ID).
const Label = "chat.tincan.app"

// ErrNoExe means Enable was given no program to start.
var ErrNoExe = errors.New("no program to start at login")

// Switch is the start-at-login setting of one program started with Args.
type Switch struct {
	Exe  string   // absolute path of the program
	Args []string // its arguments, e.g. --hidden
}

// Enabled reports whether tincan starts at login.
func (s Switch) Enabled() (bool, error) { return Enabled() }

// SetEnabled turns starting s.Exe at login on or off.
func (s Switch) SetEnabled(on bool) error {
	if on {
		return Enable(s.Exe, s.Args)
	}
	return Disable()
}

// writeFile replaces path with data atomically (a temporary file renamed
// over it), creating its directory.
func writeFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+Name+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// removeFile removes path; a file that is not there is not an error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// fileExists reports whether path exists.
func fileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("check %s: %w", path, err)
}
