//go:build windows

package autostart

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"golang.org/x/sys/windows/registry"
)

// runKey is the current user's list of programs started at login.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// Path names where the entry lives: the Run key's value.
func Path() (string, error) { return `HKCU\` + runKey + `\` + Name, nil }

// Enable makes Windows start exe with args at login.
func Enable(exe string, args []string) error {
	if exe == "" {
		return ErrNoExe
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	if err := k.SetStringValue(Name, commandLine(exe, args)); err != nil {
		return fmt.Errorf("set the Run key's %s value: %w", Name, err)
	}
	return nil
}

// Disable stops Windows starting tincan at login.
func Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	if err := k.DeleteValue(Name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("delete the Run key's %s value: %w", Name, err)
	}
	return nil
}

// Enabled reports whether Windows starts tincan at login.
func Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	_, _, err = k.GetStringValue(Name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, registry.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("read the Run key's %s value: %w", Name, err)
}

// commandLine quotes exe and args as Windows' command-line parsing expects.
func commandLine(exe string, args []string) string {
	words := []string{syscall.EscapeArg(exe)}
	for _, a := range args {
		words = append(words, syscall.EscapeArg(a))
	}
	return strings.Join(words, " ")
}
