//go:build windows

package node

import (
	"errors"
	"syscall"
)

// bindRefused reports a dial whose bind to the listen port was refused with
// "access denied": Wine, which gives SO_REUSEADDR Linux's meaning, refuses
// every bind to a port a listener holds, and Windows refuses one to a port
// another program holds exclusively. The dial then leaves from any port.
func bindRefused(err error) bool { return errors.Is(err, syscall.WSAEACCES) }
