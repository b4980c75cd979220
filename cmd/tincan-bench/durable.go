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

// echoClient times round trips over one connection to an echo. With log
// set, it appends each message to log and fsyncs before it sends it, as a
// sender that keeps what it sends must.
type echoClient struct {
	c        *tls.Conn
	msg, buf []byte
	log      *os.File
}

func dialEcho(addr string, cli *tls.Config, size int) (*echoClient, error) {
	c, err := tls.Dial("tcp", addr, cli)
	if err != nil {
		return nil, err
	}
	return &echoClient{c: c, msg: []byte(strings.Repeat("m", size)), buf: make([]byte, size)}, nil
}

// round sends one message and waits for its echo.
func (e *echoClient) round() (time.Duration, error) {
	start := time.Now()
	if e.log != nil {
		if _, err := e.log.Write(e.msg); err != nil {
			return 0, err
		}
		if err := e.log.Sync(); err != nil {
			return 0, err
		}
	}
	if _, err := e.c.Write(e.msg); err != nil {
		return 0, err
	}
	if _, err := io.ReadFull(e.c, e.buf); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// durableRun is a durable echo with a connection for round trips, so that
// its rounds can be taken in turn with tincan's (the same moments of the
// disk for both: fsync latency on a shared disk drifts within seconds).
type durableRun struct {
	e      *durableEcho
	cli    *tls.Config
	rounds *echoClient
	res    echoResult
}

// startDurable starts a durable echo; with bothSides, its round trips'
// sender also appends and fsyncs each message before sending it.
func startDurable(dir string, size int, grouped, bothSides bool) (*durableRun, error) {
	e, cli, err := newDurableEcho(dir, size, grouped)
	if err != nil {
		return nil, err
	}
	rc, err := dialEcho(e.ln.Addr().String(), cli, size)
	if err != nil {
		e.Close()
		return nil, err
	}
	if bothSides {
		rc.log, err = os.CreateTemp(dir, "echo-sender-*.log")
		if err != nil {
			rc.c.Close()
			e.Close()
			return nil, err
		}
	}
	return &durableRun{e: e, cli: cli, rounds: rc}, nil
}

// round times one round trip and keeps it.
func (d *durableRun) round() error {
	t, err := d.rounds.round()
	d.res.rtt = append(d.res.rtt, t)
	return err
}

// burst times a burst of n messages on a new connection.
func (d *durableRun) burst(n, size int) error {
	before := d.e.fsyncs.Load()
	rate, err := echoBurst(d.e.ln.Addr().String(), d.cli, n, size)
	d.res.rate, d.res.fsyncs = rate, d.e.fsyncs.Load()-before
	return err
}

func (d *durableRun) Close() {
	if d.rounds.log != nil {
		d.rounds.log.Close()
		os.Remove(d.rounds.log.Name())
	}
	d.rounds.c.Close()
	d.e.Close()
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
