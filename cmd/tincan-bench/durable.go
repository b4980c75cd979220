package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// durableEcho is a TLS 1.3 echo over loopback whose receiver makes each
// message durable before it answers: it appends the message to a file in
// dir and fsyncs the file. That is the physical floor of a durable delivery
// on dir's disk. With grouped set, the receiver commits in groups: it
// appends everything that has arrived, fsyncs once, then answers all of it.
type durableEcho struct {
	ln      net.Listener
	dir     string
	size    int
	grouped bool
	fsyncs  atomic.Int64
	wg      sync.WaitGroup
}

// newDurableEcho listens on loopback; each connection gets its own file.
func newDurableEcho(dir string, size int, grouped bool) (*durableEcho, *tls.Config, error) {
	srv, cli, err := tlsPair()
	if err != nil {
		return nil, nil, err
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", srv)
	if err != nil {
		return nil, nil, err
	}
	e := &durableEcho{ln: ln, dir: dir, size: size, grouped: grouped}
	e.wg.Add(1)
	go e.accept()
	return e, cli, nil
}

// Close stops accepting and waits for the connections' goroutines.
func (e *durableEcho) Close() {
	e.ln.Close()
	e.wg.Wait()
}

func (e *durableEcho) accept() {
	defer e.wg.Done()
	for i := 0; ; i++ {
		c, err := e.ln.Accept()
		if err != nil {
			return
		}
		f, err := os.OpenFile(filepath.Join(e.dir, fmt.Sprintf("echo-%d-%t.log", i, e.grouped)),
			os.O_WRONLY|os.O_CREATE|os.O_APPEND|os.O_TRUNC, 0o600)
		if err != nil {
			c.Close()
			continue
		}
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			defer c.Close()
			defer os.Remove(f.Name())
			defer f.Close()
			if e.grouped {
				e.serveGrouped(c, f)
			} else {
				e.serveEach(c, f)
			}
		}()
	}
}

// serveEach appends, fsyncs and answers one message at a time.
func (e *durableEcho) serveEach(c net.Conn, f *os.File) {
	buf := make([]byte, e.size)
	for {
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		if _, err := f.Write(buf); err != nil {
			return
		}
		if err := f.Sync(); err != nil {
			return
		}
		e.fsyncs.Add(1)
		if _, err := c.Write(buf); err != nil {
			return
		}
	}
}

// serveGrouped reads messages in one goroutine while another commits: what
// arrives during a commit goes into the next one (one append, one fsync),
// and is answered after it.
func (e *durableEcho) serveGrouped(c net.Conn, f *os.File) {
	arrived := make(chan []byte, 1<<14)
	go func() {
		defer close(arrived)
		for {
			m := make([]byte, e.size)
			if _, err := io.ReadFull(c, m); err != nil {
				return
			}
			arrived <- m
		}
	}()
	defer func() {
		c.Close()
		for range arrived { // let the reader end
		}
	}()
	var group []byte
	for m := range arrived {
		group = append(group[:0], m...)
	more:
		for {
			select {
			case m, ok := <-arrived:
				if !ok {
					break more
				}
				group = append(group, m...)
			default:
				break more
			}
		}
		if _, err := f.Write(group); err != nil {
			return
		}
		if err := f.Sync(); err != nil {
			return
		}
		e.fsyncs.Add(1)
		if _, err := c.Write(group); err != nil {
			return
		}
	}
}

// echoResult is one echo's round trips and burst rate.
type echoResult struct {
	rtt    []time.Duration
	rate   float64
	fsyncs int64 // during the burst
}

// runDurableEcho times n round trips, then a burst of burst messages, over
// one durable echo writing in dir.
func runDurableEcho(dir string, n, burst, size int, grouped bool) (echoResult, error) {
	e, cli, err := newDurableEcho(dir, size, grouped)
	if err != nil {
		return echoResult{}, err
	}
	defer e.Close()
	addr := e.ln.Addr().String()
	rtt, err := echoRounds(addr, cli, n, size)
	if err != nil {
		return echoResult{}, fmt.Errorf("round trips: %w", err)
	}
	before := e.fsyncs.Load()
	rate, err := echoBurst(addr, cli, burst, size)
	if err != nil {
		return echoResult{}, fmt.Errorf("burst: %w", err)
	}
	return echoResult{rtt: rtt, rate: rate, fsyncs: e.fsyncs.Load() - before}, nil
}

// echoRounds sends one message at a time and times until its echo is back.
func echoRounds(addr string, cli *tls.Config, n, size int) ([]time.Duration, error) {
	c, err := tls.Dial("tcp", addr, cli)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	buf, msg := make([]byte, size), []byte(strings.Repeat("m", size))
	var out []time.Duration
	for i := -10; i < n; i++ { // 10 warm-up rounds
		start := time.Now()
		if _, err := c.Write(msg); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return nil, err
		}
		if i >= 0 {
			out = append(out, time.Since(start))
		}
	}
	return out, nil
}

// echoBurst writes n messages, one write each, and reads all their echoes.
func echoBurst(addr string, cli *tls.Config, n, size int) (float64, error) {
	c, err := tls.Dial("tcp", addr, cli)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	msg := []byte(strings.Repeat("m", size))
	if _, err := c.Write(msg); err != nil { // finish the handshake outside the timing
		return 0, err
	}
	if _, err := io.ReadFull(c, make([]byte, size)); err != nil {
		return 0, err
	}
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(c, make([]byte, size*n))
		errc <- err
	}()
	for range n {
		if _, err := c.Write(msg); err != nil {
			return 0, err
		}
	}
	if err := <-errc; err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
