package node

import "errors"

// ErrNoWindow is a headless daemon's answer to control.CmdShow (a second
// start of the desktop app on the daemon's home): there is no window to
// show.
var ErrNoWindow = errors.New("this tincan is a background daemon with no window to show")
