//go:build nogui

package main

import "io"

// runGUI is unavailable in a build without the desktop UI (servers).
func runGUI(_ []string, _ io.Writer) error {
	return usagef("this tincan was built without the desktop app (nogui): use 'tincan daemon'")
}
