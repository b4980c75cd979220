//go:build !windows

package control

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// A node that takes the request and dies before answering is told apart
// from one that is not running: the request may have been carried out.
func TestCallSaysTheNodeStoppedBeforeAnswering(t *testing.T) {
	home := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(home, SocketName))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = io.ReadAll(c) // the whole request, then a crash: no answer
		_ = c.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = Call(ctx, home, Request{Cmd: "send", Name: "Ben", Text: "hi"})
	if !errors.Is(err, ErrNoAnswer) || errors.Is(err, ErrNotRunning) {
		t.Fatalf("a node that died mid-request gave %v; want ErrNoAnswer", err)
	}
}
