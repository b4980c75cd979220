package link

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"tincan/core/overlay"
)

func TestRunWaitsForEveryGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	held := closedPort(t)
	d := &countingDialer{hold: make(chan struct{}), holdTo: held.String(), arrived: make(chan struct{}, 4)}
	a := startNode(t, nodeOpts{dialer: d})
	b, c := startNode(t, nodeOpts{}), startNode(t, nodeOpts{})
	a.net.Send(b.peer(), &overlay.Ping{ID: 1})
	c.net.Send(b.peer(), &overlay.Ping{ID: 2})
	b.net.Send(a.peer(), &overlay.Ping{ID: 3})
	waitFor(t, 5*time.Second, "traffic", func() bool {
		return len(b.rec.messages()) == 2 && len(a.rec.messages()) == 1
	})
	// In flight at shutdown: a dial that never completes, with messages
	// queued behind it, and an inbound handshake that never starts.
	for i := range 3 {
		a.net.Send(overlay.Peer{Addr: held}, &overlay.Ping{ID: uint64(10 + i)})
	}
	<-d.arrived
	<-d.arrived // the dial to b, then the held one
	silent, err := net.Dial("tcp", b.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if _, err := silent.Write([]byte{Prefix}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the silent handshake to start", func() bool {
		b.net.mu.Lock()
		defer b.net.mu.Unlock()
		return b.net.handshakes == 1
	})

	a.stop()
	b.stop()
	c.stop()
	// Run reported the held messages before it returned.
	if u := a.rec.undeliverable(); len(u) != 3 {
		t.Errorf("a reported %d undeliverable at shutdown, want 3", len(u))
	}
	// After Run, Send and Serve are refused without a goroutine.
	a.net.Send(b.peer(), &overlay.Ping{ID: 99})
	p1, p2 := net.Pipe()
	a.net.Serve(t.Context(), p1)
	if _, err := p2.Read(make([]byte, 1)); err == nil {
		t.Error("Serve after Run kept the connection")
	}
	_ = silent.Close()

	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// expectDropped checks that the peer closes c soon.
func expectDropped(t *testing.T, c net.Conn, what string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("%s: connection not dropped", what)
	}
}

func TestGarbagePeersDropped(t *testing.T) {
	a := startNode(t, nodeOpts{})
	b := startNode(t, nodeOpts{tune: func(tm *timings) { tm.handshake = 300 * time.Millisecond }})
	a.net.Send(b.peer(), &overlay.Ping{ID: 1})
	waitFor(t, 5*time.Second, "a's ping", func() bool { return len(b.rec.messages()) == 1 })
	since := b.net.Links()[0].Since

	dial := func() net.Conn {
		c, err := net.Dial("tcp", b.addr.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		if _, err := c.Write([]byte{Prefix}); err != nil {
			t.Fatal(err)
		}
		return c
	}

	garbage := dial()
	if _, err := garbage.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	expectDropped(t, garbage, "HTTP after the prefix")

	expectDropped(t, dial(), "silence after the prefix")

	// A TLS 1.3 client with an ECDSA key: a proper handshake, the wrong key.
	tc := tls.Client(dial(), &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13,
		Certificates: []tls.Certificate{ecdsaCert(t)}})
	if err := tc.Handshake(); err == nil {
		_, _ = tc.Write(appendHello(nil, hello{}))
		if _, err := readHello(tc); err == nil {
			t.Error("a peer with an ECDSA key got a hello")
		}
	}
	// And one with no certificate at all.
	tc = tls.Client(dial(), &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13})
	if err := tc.Handshake(); err == nil {
		_, _ = tc.Write(appendHello(nil, hello{}))
		if _, err := readHello(tc); err == nil {
			t.Error("a peer without a certificate got a hello")
		}
	}

	// The good link is untouched and still works.
	a.net.Send(b.peer(), &overlay.Ping{ID: 2})
	waitFor(t, 5*time.Second, "a's second ping", func() bool { return len(b.rec.messages()) == 2 })
	if l := b.net.Links(); len(l) != 1 || !l[0].Since.Equal(since) || l[0].GUID != a.net.GUID() {
		t.Errorf("b's links after the garbage: %+v", l)
	}
}

func ecdsaCert(t *testing.T) tls.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
}

// syncBuffer is a bytes.Buffer safe for a logger shared by goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestBadFrameClosesLink(t *testing.T) {
	var logs syncBuffer
	b := startNode(t, nodeOpts{logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	a, c := startNode(t, nodeOpts{}), startNode(t, nodeOpts{})
	a.net.Send(b.peer(), &overlay.Ping{ID: 1})
	c.net.Send(b.peer(), &overlay.Ping{ID: 2})
	waitFor(t, 5*time.Second, "both links", func() bool { return len(b.rec.messages()) == 2 })

	a.net.mu.Lock()
	l := a.net.byGUID[b.net.GUID()]
	a.net.mu.Unlock()
	// A frame of two bytes whose version byte is wrong.
	if _, err := l.conn.Write([]byte{0, 2, 9, byte(overlay.TypePing)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "b to drop a's link", func() bool {
		ls := b.net.Links()
		return len(ls) == 1 && ls[0].GUID == c.net.GUID()
	})
	waitFor(t, 5*time.Second, "a to see its link closed", func() bool { return len(a.net.Links()) == 0 })
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "bad frame") ||
		!strings.Contains(out, "peer="+a.net.GUID().Short()) {
		t.Errorf("no warning naming the peer; log:\n%s", out)
	}
	c.net.Send(b.peer(), &overlay.Ping{ID: 3})
	waitFor(t, 5*time.Second, "c's link still works", func() bool { return len(b.rec.messages()) == 3 })
	// a dials again on its next send.
	a.net.Send(b.peer(), &overlay.Ping{ID: 4})
	waitFor(t, 5*time.Second, "a's new link", func() bool { return len(b.rec.messages()) == 4 })
}

func TestMaxLinks(t *testing.T) {
	b := startNode(t, nodeOpts{maxLinks: 1, tune: func(tm *timings) { tm.evictIdle = time.Second }})
	a, c, d := startNode(t, nodeOpts{}), startNode(t, nodeOpts{}), startNode(t, nodeOpts{})
	a.net.Send(b.peer(), &overlay.Ping{ID: 1})
	waitFor(t, 5*time.Second, "a's link", func() bool { return len(b.rec.messages()) == 1 })

	// b is full and a's link is busy: c is refused.
	c.net.Send(b.peer(), &overlay.Ping{ID: 2})
	waitFor(t, 5*time.Second, "c's refusal", func() bool { return len(c.rec.undeliverable()) == 1 })
	if len(b.rec.messages()) != 1 {
		t.Errorf("b took c's message at capacity")
	}

	// Once a's link has been idle long enough, it makes room for d.
	time.Sleep(1100 * time.Millisecond)
	d.net.Send(b.peer(), &overlay.Ping{ID: 3})
	waitFor(t, 5*time.Second, "d's ping", func() bool { return len(b.rec.messages()) == 2 })
	waitFor(t, 5*time.Second, "a's idle link closed", func() bool {
		ls := b.net.Links()
		return len(a.net.Links()) == 0 && len(ls) == 1 && ls[0].GUID == d.net.GUID()
	})
	if u := a.rec.undeliverable(); len(u) != 0 {
		t.Errorf("a: %d undeliverable after a graceful close", len(u))
	}
}
