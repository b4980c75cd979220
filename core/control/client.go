package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
)

// ErrNotRunning means no node answers on the home dir's control socket.
var ErrNotRunning = errors.New("no tincan is running with this home")

// Call sends req to the node serving home and returns its response.
func Call(ctx context.Context, home string, req Request) (Response, error) {
	path := filepath.Join(home, SocketName)
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return Response{}, fmt.Errorf("%w (%s): start it with 'tincan daemon' or 'tincan'", ErrNotRunning, home)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	if err := json.NewEncoder(c).Encode(req); err != nil {
		return Response{}, fmt.Errorf("send request: %w", err)
	}
	if uc, ok := c.(*net.UnixConn); ok {
		if err := uc.CloseWrite(); err != nil {
			return Response{}, fmt.Errorf("send request: %w", err)
		}
	}
	return DecodeResponse(c)
}
