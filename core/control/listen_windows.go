//go:build windows

package control

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows the control channel is a TCP listener on 127.0.0.1 (Wine
// has no AF_UNIX, and older Windows neither). The file at path (the home's
// control.sock) holds the listener's address and a random token, with an
// ACL that lets only the current user read it; every connection must
// begin with the token's TokenSize bytes or it is closed unanswered.

// tokenWait bounds how long a connection may take to present its token.
const tokenWait = 5 * time.Second

// errBadToken means a connection did not open with the node's token.
var errBadToken = errors.New("control connection without the right token")

// listen opens the loopback listener and writes its endpoint file. A node
// that answers at the endpoint already written means ErrAlreadyRunning; a
// stale file left by a crash is replaced.
func listen(path string) (net.Listener, func(net.Conn) error, error) {
	if alive(path) {
		return nil, nil, ErrAlreadyRunning
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("remove stale control endpoint: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("control listener: %w", err)
	}
	token := make([]byte, TokenSize)
	rand.Read(token)
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	if err := writePrivate(path, formatEndpoint(addr, token)); err != nil {
		ln.Close()
		if errors.Is(err, os.ErrExist) {
			return nil, nil, ErrAlreadyRunning
		}
		return nil, nil, fmt.Errorf("control endpoint %s: %w", path, err)
	}
	return ln, func(c net.Conn) error { return checkToken(c, token) }, nil
}

// checkToken reads the token a connection opens with and compares it in
// constant time.
func checkToken(c net.Conn, token []byte) error {
	c.SetReadDeadline(time.Now().Add(tokenWait))
	got := make([]byte, len(token))
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("read control token: %w", err)
	}
	if subtle.ConstantTimeCompare(got, token) != 1 {
		return errBadToken
	}
	return nil
}

// dial connects to the endpoint written at path and presents its token.
func dial(ctx context.Context, path string) (net.Conn, error) {
	addr, token, err := readEndpoint(path)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return nil, err
	}
	if _, err := c.Write(token); err != nil {
		c.Close()
		return nil, fmt.Errorf("send control token: %w", err)
	}
	return c, nil
}

// alive reports whether a node answers at the endpoint written at path:
// it must take the token and reply with a control response (to an empty
// request), which a program that only happens to hold the port never does.
func alive(path string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := dial(ctx, path)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if err := closeWrite(c); err != nil {
		return false
	}
	var resp Response
	return json.NewDecoder(io.LimitReader(c, MaxResponse)).Decode(&resp) == nil
}

// readEndpoint reads and parses the endpoint file at path.
func readEndpoint(path string) (netip.AddrPort, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return netip.AddrPort{}, nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEndpoint+1))
	if err != nil {
		return netip.AddrPort{}, nil, fmt.Errorf("read control endpoint: %w", err)
	}
	return parseEndpoint(data)
}

// writePrivate creates path (it must not exist) with a protected ACL that
// grants the current user alone full access, and writes data to it.
func writePrivate(path string, data []byte) error {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("current user: %w", err)
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;FA;;;" + user.User.Sid.String() + ")")
	if err != nil {
		return fmt.Errorf("security descriptor: %w", err)
	}
	sa := &windows.SecurityAttributes{
		Length:             uint32(unsafe.Sizeof(windows.SecurityAttributes{})),
		SecurityDescriptor: sd,
	}
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	h, err := windows.CreateFile(name, windows.GENERIC_WRITE, 0, sa,
		windows.CREATE_NEW, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if errors.Is(err, windows.ERROR_FILE_EXISTS) {
		return os.ErrExist
	}
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(h), path)
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
