//go:build windows

package control

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// windowsHome is a home dir for these tests. Not t.TempDir: under Wine 8
// removing a directory fails ("Invalid function"), which would fail every
// test in its cleanup; the Wine prefix the smoke run makes goes as a whole.
func windowsHome(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tincan-control-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startEcho serves an echo handler in a new home until the test ends.
func startEcho(t *testing.T) (string, *Server) {
	t.Helper()
	home := windowsHome(t)
	s, err := Listen(home, func(_ context.Context, req Request) (any, error) {
		return req.Name, nil
	}, func(error) int { return CodeFailed }, nil)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := serve(ctx, s)
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return home, s
}

func TestWindowsControlAnswersWithTheToken(t *testing.T) {
	home, _ := startEcho(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := Call(ctx, home, Request{Cmd: "status", Name: "over loopback"})
	if err != nil || !resp.OK || string(resp.Data) != `"over loopback"` {
		t.Fatalf("a call with the token should be answered, got %+v, %v", resp, err)
	}
	addr, _, err := readEndpoint(filepath.Join(home, SocketName))
	if err != nil || !addr.Addr().IsLoopback() {
		t.Fatalf("the endpoint file should name a loopback address, got %v, %v", addr, err)
	}
}

func TestWindowsControlRefusesAWrongToken(t *testing.T) {
	home, _ := startEcho(t)
	addr, token, err := readEndpoint(filepath.Join(home, SocketName))
	if err != nil {
		t.Fatalf("read the endpoint: %v", err)
	}
	for name, first := range map[string][]byte{
		"a wrong token":       bytes.Repeat([]byte{token[0] ^ 1}, TokenSize),
		"a request, no token": []byte(`{"cmd":"status","name":"sneaky"}` + "                                "),
		"a short token":       token[:TokenSize-1],
	} {
		c, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		c.Write(first)
		c.Write([]byte(`{"cmd":"status","name":"sneaky"}`))
		closeWrite(c)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(c)
		c.Close()
		if len(got) != 0 {
			t.Errorf("a connection with %s should be closed unanswered, it got %q (%v)", name, got, err)
		}
	}
}

func TestWindowsControlRefusesASecondNode(t *testing.T) {
	home, _ := startEcho(t)
	_, err := Listen(home, func(context.Context, Request) (any, error) { return nil, nil },
		func(error) int { return CodeFailed }, nil)
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("a second node on one home should be refused as already running, got %v", err)
	}
}

func TestWindowsControlReplacesAStaleEndpoint(t *testing.T) {
	// A file left by a crash: nothing listens at its address any more.
	home := windowsHome(t)
	path := filepath.Join(home, SocketName)
	old := bytes.Repeat([]byte{7}, TokenSize)
	if err := os.WriteFile(path, formatEndpoint(deadAddr(t), old), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Listen(home, func(context.Context, Request) (any, error) { return "new", nil },
		func(error) int { return CodeFailed }, nil)
	if err != nil {
		t.Fatalf("a stale endpoint file should be replaced, got %v", err)
	}
	defer s.Close()
	_, token, err := readEndpoint(path)
	if err != nil || bytes.Equal(token, old) {
		t.Fatalf("the new node should write a new token, got %x, %v", token, err)
	}
}

// deadAddr is a loopback address nothing listens on any more.
func deadAddr(t *testing.T) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().(*net.TCPAddr).AddrPort()
	ln.Close()
	return a
}

func TestWindowsEndpointFileIsTheUsersAlone(t *testing.T) {
	home, _ := startEcho(t)
	sd, err := windows.GetNamedSecurityInfo(filepath.Join(home, SocketName), windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatalf("read the endpoint file's security: %v", err)
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	// Windows keeps the protected DACL written; Wine 8 adds SYSTEM and
	// drops the protection. Either way no one but the user (and SYSTEM,
	// which can read everything anyway) may be let in.
	dacl := strings.TrimPrefix(strings.TrimPrefix(sd.String(), "D:"), "P")
	aces := strings.Split(strings.TrimSuffix(strings.TrimPrefix(dacl, "("), ")"), ")(")
	for _, ace := range aces {
		f := strings.Split(ace, ";")
		if len(f) != 6 || f[0] != "A" || (f[5] != user.User.Sid.String() && f[5] != "SY") {
			t.Fatalf("the endpoint file's ACL %s lets in someone besides the user (%s)", sd, ace)
		}
	}
}
