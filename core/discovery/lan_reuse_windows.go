//go:build windows

package discovery

import (
	"fmt"
	"syscall"
)

// reuseControl sets SO_REUSEADDR, which on Windows lets several nodes on one
// host bind the beacon port.
func reuseControl(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	})
	if err != nil {
		return fmt.Errorf("socket control: %w", err)
	}
	if serr != nil {
		return fmt.Errorf("SO_REUSEADDR: %w", serr)
	}
	return nil
}
