//go:build linux

package natlab

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// reusePort lets a listener and every dial share one local port
// (SO_REUSEADDR and SO_REUSEPORT), as TCP simultaneous open needs.
func reusePort(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); serr != nil {
			return
		}
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	})
	if err != nil {
		return fmt.Errorf("socket control: %w", err)
	}
	if serr != nil {
		return fmt.Errorf("set SO_REUSEADDR/SO_REUSEPORT: %w", serr)
	}
	return nil
}
