//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package discovery

import "syscall"

// reuseControl does nothing here: only one node per host can listen for beacons.
func reuseControl(_, _ string, _ syscall.RawConn) error { return nil }
