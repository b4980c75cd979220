package control

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// flakyListener fails its first fails Accept calls with a passing error
// (what a full file table gives), then accepts for real.
type flakyListener struct {
	net.Listener
	fails  atomic.Int32
	failed atomic.Int32
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.fails.Add(-1) >= 0 {
		l.failed.Add(1)
		return nil, &net.OpError{Op: "accept", Net: "unix", Err: syscall.EMFILE}
	}
	return l.Listener.Accept()
}

// echoServer listens in a temporary home with a handler that returns the
// request's name, its listener wrapped in a flakyListener.
func echoServer(t *testing.T, fails int32) (*Server, *flakyListener, string) {
	t.Helper()
	home := t.TempDir()
	s, err := Listen(home, func(_ context.Context, req Request) (any, error) {
		return req.Name, nil
	}, func(error) int { return CodeFailed }, nil)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	fl := &flakyListener{Listener: s.ln}
	fl.fails.Store(fails)
	s.ln = fl
	return s, fl, home
}

// serve runs s.Serve on a goroutine and returns the channel its result
// arrives on.
func serve(ctx context.Context, s *Server) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	return done
}

func waitServe(t *testing.T, done <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("Serve did not return within 10 s after %s", what)
		return nil
	}
}

func TestServeKeepsServingAfterAcceptFails(t *testing.T) {
	s, fl, home := echoServer(t, 5)
	ctx, cancel := context.WithCancel(context.Background())
	done := serve(ctx, s)

	callCtx, callCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer callCancel()
	resp, err := Call(callCtx, home, Request{Cmd: "status", Name: "after the failures"})
	if err != nil {
		t.Fatalf("a request after 5 failed accepts should be answered, got %v", err)
	}
	if !resp.OK || string(resp.Data) != `"after the failures"` {
		t.Fatalf("the answer should echo the request, got %+v", resp)
	}
	if got := fl.failed.Load(); got != 5 {
		t.Fatalf("Serve should have gone through the 5 failing accepts, it saw %d", got)
	}
	cancel()
	if err := waitServe(t, done, "its context ended"); err != nil {
		t.Fatalf("Serve should return nil when its context ends, got %v", err)
	}
}

func TestServeEndsWhenListenerCloses(t *testing.T) {
	s, _, home := echoServer(t, 0)
	done := serve(context.Background(), s)
	callCtx, callCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer callCancel()
	if _, err := Call(callCtx, home, Request{Cmd: "status"}); err != nil {
		t.Fatalf("the server should answer before it is closed, got %v", err)
	}
	s.ln.Close()
	err := waitServe(t, done, "its listener closed")
	if !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Serve should end with net.ErrClosed when its listener closes, got %v", err)
	}
	if _, err := Call(callCtx, home, Request{Cmd: "status"}); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("after Serve ends no node should answer, got %v", err)
	}
}

func TestServeStopsRetryingWhenContextEnds(t *testing.T) {
	s, fl, _ := echoServer(t, 1<<30) // accept never succeeds
	ctx, cancel := context.WithCancel(context.Background())
	done := serve(ctx, s)
	deadline := time.Now().Add(10 * time.Second)
	for fl.failed.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("Serve should keep retrying a failing accept, it tried %d times in 10 s", fl.failed.Load())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := waitServe(t, done, "its context ended during the retries"); err != nil {
		t.Fatalf("Serve should return nil when its context ends, got %v", err)
	}
}

func TestAcceptRetryDelayIsBounded(t *testing.T) {
	var d time.Duration
	var seen []time.Duration
	for range 12 {
		d = nextAcceptRetry(d)
		seen = append(seen, d)
	}
	if seen[0] != minAcceptRetry || seen[1] != 2*minAcceptRetry || seen[len(seen)-1] != maxAcceptRetry {
		t.Fatalf("the retry delay should double from %v and stop at %v, got %v", minAcceptRetry, maxAcceptRetry, seen)
	}
}

func TestListenMakesANewHome(t *testing.T) {
	home := filepath.Join(t.TempDir(), "new", "home")
	s, err := Listen(home, func(context.Context, Request) (any, error) { return "here", nil },
		func(error) int { return CodeFailed }, nil)
	if err != nil {
		t.Fatalf("listening in a home that does not exist yet should make it, got %v", err)
	}
	defer s.Close()
	fi, err := os.Stat(home)
	if err != nil || !fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700) {
		t.Fatalf("the new home should be a directory only its owner may enter, got %v, %v", fi, err)
	}
}
