package relay

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

func TestPairExchangesBothWays(t *testing.T) {
	tr := startRelay(t, Config{})
	a, b := pair(t, tr.addr, randToken(t))

	if st := tr.srv.Stats(); st.Active != 1 || st.Waiting != 0 || st.Sessions != 1 {
		t.Fatalf("stats after pairing: %+v", st)
	}

	// A megabyte each way at once, checked byte for byte.
	const size = 1 << 20
	aData, bData := make([]byte, size), make([]byte, size)
	rand.Read(aData)
	rand.Read(bData)
	errs := make(chan error, 2)
	go func() { _, err := a.Write(aData); errs <- err }()
	go func() { _, err := b.Write(bData); errs <- err }()
	gotAtB, gotAtA := make([]byte, size), make([]byte, size)
	b.SetReadDeadline(time.Now().Add(10 * time.Second))
	a.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(b, gotAtB); err != nil {
		t.Fatalf("read at b: %v", err)
	}
	if _, err := io.ReadFull(a, gotAtA); err != nil {
		t.Fatalf("read at a: %v", err)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	if !bytes.Equal(gotAtB, aData) || !bytes.Equal(gotAtA, bData) {
		t.Fatal("data changed in transit")
	}
	// The splice counts a buffer after writing it on: the last count may
	// land just after the reader has the bytes. Wait for it, with a deadline.
	deadline := time.Now().Add(5 * time.Second)
	for tr.srv.Stats().BytesRelayed != 2*size && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := tr.srv.Stats(); st.BytesRelayed != 2*size {
		t.Fatalf("bytes relayed %d, want %d", st.BytesRelayed, 2*size)
	}
}

func TestUnpairedTimesOut(t *testing.T) {
	tr := startRelay(t, Config{PairTimeout: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := Dial(ctx, nil, tr.addr, randToken(t))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("timed out after %v, before PairTimeout", d)
	}
	if st := tr.srv.Stats(); st.Waiting != 0 || st.Refused != 1 {
		t.Fatalf("stats: %+v", st)
	}
}

func TestDialGivesUpWithContext(t *testing.T) {
	tr := startRelay(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := Dial(ctx, nil, tr.addr, randToken(t))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	// The relay notices the waiting side left and frees its place.
	waitFor(t, "waiting to drain", func() bool { return tr.srv.Stats().Waiting == 0 })
}

func TestLeftWaiterIsReplaced(t *testing.T) {
	tr := startRelay(t, Config{})
	tok := randToken(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Dial(ctx, nil, tr.addr, tok); err == nil {
		t.Fatal("lone dial paired")
	}
	// Straight after, without waiting for the relay to notice: the two live
	// connections must pair with each other, not with the one that left.
	a, b := pair(t, tr.addr, tok)
	if _, err := a.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 4)
	b.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(b, got); err != nil || string(got) != "ping" {
		t.Fatalf("read %q, %v", got, err)
	}
}

func TestMaxSessionsBusy(t *testing.T) {
	tr := startRelay(t, Config{MaxSessions: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// A connection that starts waiting while there is room...
	late := randToken(t)
	lateErr := make(chan error, 1)
	go func() {
		c, err := Dial(ctx, nil, tr.addr, late)
		if c != nil {
			c.Close()
		}
		lateErr <- err
	}()
	waitFor(t, "first waiter", func() bool { return tr.srv.Stats().Waiting == 1 })

	// ...then the one session allowed...
	pair(t, tr.addr, randToken(t))

	// ...so a new connection is turned away at once,
	if _, err := Dial(ctx, nil, tr.addr, randToken(t)); !errors.Is(err, ErrBusy) {
		t.Fatalf("new dial: %v, want ErrBusy", err)
	}
	// and the waiter's partner and the waiter both learn it when they meet.
	if _, err := Dial(ctx, nil, tr.addr, late); !errors.Is(err, ErrBusy) {
		t.Fatalf("partner: %v, want ErrBusy", err)
	}
	if err := <-lateErr; !errors.Is(err, ErrBusy) {
		t.Fatalf("waiter: %v, want ErrBusy", err)
	}
	if st := tr.srv.Stats(); st.Active != 1 || st.Waiting != 0 || st.Refused != 3 {
		t.Fatalf("stats: %+v", st)
	}
}

func TestMaxWaitingBusy(t *testing.T) {
	tr := startRelay(t, Config{MaxWaiting: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	for range 2 {
		tok := randToken(t)
		go Dial(wctx, nil, tr.addr, tok)
	}
	waitFor(t, "two waiters", func() bool { return tr.srv.Stats().Waiting == 2 })
	if _, err := Dial(ctx, nil, tr.addr, randToken(t)); !errors.Is(err, ErrBusy) {
		t.Fatalf("third waiter: %v, want ErrBusy", err)
	}
}

func TestDisabledRefuses(t *testing.T) {
	tr := startRelay(t, Config{Disabled: true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := Dial(ctx, nil, tr.addr, randToken(t)); !errors.Is(err, ErrRefused) {
		t.Fatalf("err = %v, want ErrRefused", err)
	}
	if tr.srv.Stats().Enabled {
		t.Fatal("stats say enabled")
	}
	tr.srv.SetEnabled(true)
	pair(t, tr.addr, randToken(t))
}

func TestTokenInUse(t *testing.T) {
	tr := startRelay(t, Config{})
	tok := randToken(t)
	// A pair being set up holds the token: stand one in by hand, since the
	// real window is too short to hit from outside.
	x, y := net.Pipe()
	defer x.Close()
	defer y.Close()
	tr.srv.mu.Lock()
	tr.srv.waiting[tok] = &waiter{c: x, partner: y}
	tr.srv.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := Dial(ctx, nil, tr.addr, tok); !errors.Is(err, ErrTokenInUse) {
		t.Fatalf("err = %v, want ErrTokenInUse", err)
	}
	tr.srv.mu.Lock()
	delete(tr.srv.waiting, tok)
	tr.srv.mu.Unlock()
}

func TestCloseOneSideClosesOther(t *testing.T) {
	const idle = 400 * time.Millisecond
	tr := startRelay(t, Config{IdleTimeout: idle})
	a, b := pair(t, tr.addr, randToken(t))
	if _, err := a.Write([]byte("last words")); err != nil {
		t.Fatal(err)
	}
	a.Close()
	start := time.Now()
	if n := readClosed(t, b); n != int64(len("last words")) {
		t.Fatalf("b read %d bytes before the end", n)
	}
	// b keeps its end open, yet the relay ends the session after the grace
	// period (here IdleTimeout) instead of holding a slot for it.
	waitFor(t, "session end", func() bool { return tr.srv.Stats().Active == 0 })
	if d := time.Since(start); d < idle/2 {
		t.Fatalf("session ended %v after a closed, before the grace period", d)
	}
	b.SetWriteDeadline(time.Now().Add(5 * time.Second))
	var err error
	for range 100 { // the relay's close shows up as a reset on a later write
		if _, err = b.Write([]byte("anyone?")); err != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err == nil {
		t.Fatal("b can still write into a closed session")
	}
}

func TestHalfClosePassesThrough(t *testing.T) {
	tr := startRelay(t, Config{})
	a, b := pair(t, tr.addr, randToken(t))
	if err := a.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if n := readClosed(t, b); n != 0 {
		t.Fatalf("b read %d bytes", n)
	}
	// b can still answer a.
	if _, err := b.Write([]byte("reply")); err != nil {
		t.Fatal(err)
	}
	b.Close()
	a.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(a)
	if err != nil || string(got) != "reply" {
		t.Fatalf("a read %q, %v", got, err)
	}
}

func TestServerCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := NewServer(Config{})
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
			go func() {
				var b [1]byte
				io.ReadFull(c, b[:])
				srv.Handle(context.Background(), c)
			}()
		}
	}()
	addr := ln.Addr().String()
	a, b := pair(t, addr, randToken(t))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waitErr := make(chan error, 1)
	go func() { _, err := Dial(ctx, nil, addr, randToken(t)); waitErr <- err }()
	half, err := net.Dial("tcp", addr) // sends half a request and stalls
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	half.Write([]byte{Prefix, magic0})
	waitFor(t, "waiter", func() bool { return srv.Stats().Waiting == 1 })

	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	readClosed(t, a)
	readClosed(t, b)
	readClosed(t, half)
	if err := <-waitErr; err == nil {
		t.Fatal("waiting dial paired")
	}
	// A connection after Close is closed at once.
	late, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	late.Write(appendRequest([]byte{Prefix}, randToken(t)))
	readClosed(t, late)
	late.Close()
	a.Close()
	b.Close()
	ln.Close()
	for range accepted {
	}
	checkGoroutines(t, before)
}

// TestSetLimitsRaisesTheCap: the user raises the session cap while serving;
// a pair refused before is then relayed, and the stats show the new limits.
func TestSetLimitsRaisesTheCap(t *testing.T) {
	tr := startRelay(t, Config{MaxSessions: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pair(t, tr.addr, randToken(t))
	if _, err := Dial(ctx, nil, tr.addr, randToken(t)); !errors.Is(err, ErrBusy) {
		t.Fatalf("at the cap: %v, want ErrBusy", err)
	}
	tr.srv.SetLimits(2, 64<<10)
	pair(t, tr.addr, randToken(t))
	if st := tr.srv.Stats(); st.Active != 2 || st.MaxSessions != 2 || st.Rate != 64<<10 {
		t.Fatalf("stats after SetLimits: %+v", st)
	}
}
