//go:build !windows

package autostart

// Where starting at login is one file (an XDG autostart entry, a launchd
// LaunchAgent), turning it off removes the file and it is on while the
// file exists.

// Disable stops tincan starting at login.
func Disable() error {
	p, err := Path()
	if err != nil {
		return err
	}
	return removeFile(p)
}

// Enabled reports whether tincan starts at login.
func Enabled() (bool, error) {
	p, err := Path()
	if err != nil {
		return false, err
	}
	return fileExists(p)
}
