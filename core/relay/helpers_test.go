package relay

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// testRelay is a Server behind a real loopback listener with a minimal mux
// in front (reads the prefix byte like core/node does).
type testRelay struct {
	srv  *Server
	addr string
	rec  *recorder
}

func startRelay(t *testing.T, cfg Config) *testRelay {
	t.Helper()
	if cfg.Logger == nil && testing.Verbose() {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(cfg)
	tr := &testRelay{srv: srv, addr: ln.Addr().String(), rec: &recorder{}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				var b [1]byte
				if _, err := io.ReadFull(c, b[:]); err != nil || b[0] != Prefix {
					c.Close()
					return
				}
				srv.Handle(ctx, &recordConn{TCPConn: c.(*net.TCPConn), rec: tr.rec})
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		cancel()
		srv.Close()
		wg.Wait()
	})
	return tr
}

// recorder keeps every byte the relay read from its clients.
type recorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.buf.Bytes())
}

// recordConn is a relay-side connection that records what it reads.
type recordConn struct {
	*net.TCPConn
	rec *recorder
}

func (c *recordConn) Read(p []byte) (int, error) {
	n, err := c.TCPConn.Read(p)
	c.rec.mu.Lock()
	c.rec.buf.Write(p[:n])
	c.rec.mu.Unlock()
	return n, err
}

func randToken(t *testing.T) Token {
	t.Helper()
	var tok Token
	if _, err := rand.Read(tok[:]); err != nil {
		t.Fatal(err)
	}
	return tok
}

// pair dials the relay twice with one token and returns both spliced ends.
func pair(t *testing.T, addr string, tok Token) (a, b net.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := Dial(ctx, nil, addr, tok)
		ch <- res{c, err}
	}()
	b, err := Dial(ctx, nil, addr, tok)
	r := <-ch
	if err != nil || r.err != nil {
		if b != nil {
			b.Close()
		}
		if r.c != nil {
			r.c.Close()
		}
		t.Fatalf("pair: %v / %v", err, r.err)
	}
	t.Cleanup(func() { r.c.Close(); b.Close() })
	return r.c, b
}

// waitFor polls cond until it holds or 5 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkGoroutines fails if the goroutine count does not settle back to at
// most before.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d, before %d\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readClosed asserts c's peer side ends (EOF or reset) within 5 s, and
// returns how many bytes came before the end.
func readClosed(t *testing.T, c net.Conn) int64 {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("connection still open after %d bytes", n)
	}
	return n
}
