package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Handler answers one request: a JSON-encodable result, or an error whose
// exit code Code reports.
type Handler func(ctx context.Context, req Request) (any, error)

// ErrAlreadyRunning means another node is serving the same home dir.
var ErrAlreadyRunning = errors.New("another tincan is already running with this home")

// Server serves a Handler on the control socket of a home dir.
type Server struct {
	ln    net.Listener
	admit func(net.Conn) error // nil, or the check a connection must pass first
	path  string
	h     Handler
	code  func(error) int
	log   *slog.Logger
	wg    sync.WaitGroup
}

// Listen opens the control socket in home (owner-only), making home (0700)
// if it is new: the app claims a home before its node first opens it. A
// stale socket left by a crash is replaced; a live one means
// ErrAlreadyRunning. code maps a handler error to an exit code; log may be
// nil.
func Listen(home string, h Handler, code func(error) int, log *slog.Logger) (*Server, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("make home %s: %w", home, err)
	}
	path := filepath.Join(home, SocketName)
	ln, admit, err := listen(path)
	if errors.Is(err, ErrAlreadyRunning) {
		return nil, fmt.Errorf("%w (%s)", ErrAlreadyRunning, home)
	}
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{ln: ln, admit: admit, path: path, h: h, code: code, log: log}, nil
}

// Path is the socket's file path.
func (s *Server) Path() string { return s.path }

// Accept retries after a failure (too many open files, a connection aborted
// before it was taken) with a delay that doubles from minAcceptRetry up to
// maxAcceptRetry, so that a passing error never leaves a running node
// without its control socket.
const (
	minAcceptRetry = 5 * time.Millisecond
	maxAcceptRetry = time.Second
)

// Serve answers requests until ctx is done (then it returns nil) or the
// listener is closed under it (net.ErrClosed, wrapped); any other accept
// error is logged and retried. It returns after every connection has been
// answered and the socket is removed.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.ln.Close() })
	defer stop()
	defer func() {
		s.wg.Wait()
		os.Remove(s.path)
	}()
	var delay time.Duration
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("control accept: %w", err)
			}
			delay = nextAcceptRetry(delay)
			s.log.Error("control accept failed; retrying", "err", err, "in", delay)
			if !sleep(ctx, delay) {
				return nil
			}
			continue
		}
		delay = 0
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.answer(ctx, c)
		}()
	}
}

// nextAcceptRetry is the delay after one that was d (0 at first).
func nextAcceptRetry(d time.Duration) time.Duration {
	return min(max(2*d, minAcceptRetry), maxAcceptRetry)
}

// sleep waits for d and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Server) answer(ctx context.Context, c net.Conn) {
	defer c.Close()
	if s.admit != nil {
		if err := s.admit(c); err != nil {
			s.log.Warn("control connection refused", "err", err)
			return
		}
	}
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	resp := s.respond(ctx, c)
	if err := json.NewEncoder(c).Encode(resp); err != nil {
		s.log.Debug("control reply", "err", err)
	}
}

func (s *Server) respond(ctx context.Context, c net.Conn) Response {
	req, err := DecodeRequest(c)
	if err != nil {
		return Response{Error: err.Error(), Code: CodeBadInput}
	}
	res, err := s.h(ctx, req)
	if err != nil {
		return Response{Error: err.Error(), Code: s.code(err)}
	}
	data, err := json.Marshal(res)
	if err != nil {
		return Response{Error: fmt.Sprintf("encode result: %v", err), Code: CodeFailed}
	}
	return Response{OK: true, Data: data}
}

// Close stops listening and removes the socket without serving; for a
// server whose Serve was never started.
func (s *Server) Close() error {
	err := s.ln.Close()
	os.Remove(s.path)
	return err
}
