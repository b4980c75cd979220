//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package discovery

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// reuseControl sets SO_REUSEADDR and SO_REUSEPORT so several nodes on one
// host can listen for beacons on the same port.
func reuseControl(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); serr != nil {
			serr = fmt.Errorf("SO_REUSEADDR: %w", serr)
			return
		}
		if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); serr != nil {
			serr = fmt.Errorf("SO_REUSEPORT: %w", serr)
		}
	})
	if err != nil {
		return fmt.Errorf("socket control: %w", err)
	}
	return serr
}
