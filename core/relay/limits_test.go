package relay

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"
	"time"
)

func TestBytesPerSecondCap(t *testing.T) {
	const rate = 100 << 10
	const size = 200 << 10
	tr := startRelay(t, Config{BytesPerSecond: rate})
	a, b := pair(t, tr.addr, randToken(t))
	data := make([]byte, size)
	rand.Read(data)
	start := time.Now()
	go a.Write(data)
	got := make([]byte, size)
	b.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadFull(b, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	took := time.Since(start)
	t.Logf("%d KiB at a %d KiB/s cap took %v", size>>10, rate>>10, took)
	// A 16 KiB burst is allowed, so the floor is (200-16)/100 s = 1.84 s.
	if took < 1500*time.Millisecond {
		t.Fatalf("took %v: cap not enforced", took)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("data changed in transit")
	}
}

func TestMaxBytesEndsSession(t *testing.T) {
	const limit = 64 << 10
	tr := startRelay(t, Config{MaxBytes: limit})
	a, b := pair(t, tr.addr, randToken(t))
	go a.Write(make([]byte, 1<<20)) // fails once the relay closes; that is the point
	if n := readClosed(t, b); n != limit {
		t.Fatalf("b read %d bytes, want exactly %d", n, limit)
	}
	waitFor(t, "session end", func() bool { return tr.srv.Stats().Active == 0 })
}

func TestIdleTimeoutEndsSession(t *testing.T) {
	const idle = 300 * time.Millisecond
	tr := startRelay(t, Config{IdleTimeout: idle})
	a, b := pair(t, tr.addr, randToken(t))

	// Traffic one way only keeps the session alive for well past idle.
	for range 8 {
		if _, err := a.Write([]byte{1}); err != nil {
			t.Fatalf("write: %v", err)
		}
		b.SetReadDeadline(time.Now().Add(5 * time.Second))
		var one [1]byte
		if _, err := io.ReadFull(b, one[:]); err != nil {
			t.Fatalf("session died while busy one way: %v", err)
		}
		time.Sleep(idle / 3)
	}
	// Then silence closes it.
	start := time.Now()
	readClosed(t, b)
	readClosed(t, a)
	if d := time.Since(start); d < idle/2 {
		t.Fatalf("closed after %v of silence", d)
	}
	waitFor(t, "session end", func() bool { return tr.srv.Stats().Active == 0 })
}
