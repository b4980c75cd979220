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

// ErrNoAnswer means the node took the request but closed the socket (it
// stopped, or was killed) before answering: whatever the request did may
// or may not have happened.
var ErrNoAnswer = errors.New("the node stopped before answering")

// Call sends req to the node serving home and returns its response.
func Call(ctx context.Context, home string, req Request) (Response, error) {
	path := filepath.Join(home, SocketName)
	c, err := dial(ctx, path)
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
	if err := closeWrite(c); err != nil {
		return Response{}, fmt.Errorf("send request: %w", err)
	}
	resp, err := DecodeResponse(c)
	if err != nil && ctx.Err() == nil && !errors.Is(err, ErrTooLarge) {
		return resp, fmt.Errorf("%w (%v)", ErrNoAnswer, err)
	}
	return resp, err
}

// closeWrite ends the sending half of c, which tells the node the request
// is complete.
func closeWrite(c net.Conn) error {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
