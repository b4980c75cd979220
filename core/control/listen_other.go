//go:build !windows

package control

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// listen opens the Unix socket at path, owner-only. A socket that answers
// means ErrAlreadyRunning; a stale one left by a crash is replaced. Unix
// sockets need no admission check: the file mode keeps other users out.
func listen(path string) (net.Listener, func(net.Conn) error, error) {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, nil, ErrAlreadyRunning
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("remove stale control socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("control socket permissions: %w", err)
	}
	return ln, nil, nil
}

// dial connects to the Unix socket at path.
func dial(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
