package relay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"testing"
	"time"
)

// rawRelay sends raw bytes after the prefix and returns what the relay
// answered before closing.
func rawRelay(t *testing.T, addr string, payload []byte, closeWrite bool) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(append([]byte{Prefix}, payload...)); err != nil {
		t.Fatal(err)
	}
	if closeWrite {
		c.(*net.TCPConn).CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(c)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, net.ErrClosed) {
		t.Fatalf("read: %v", err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("relay kept a bad connection open")
	}
	return got
}

func TestHostileRequests(t *testing.T) {
	before := runtime.NumGoroutine()
	tr := startRelay(t, Config{RequestTimeout: 200 * time.Millisecond})
	good := appendRequest(nil, randToken(t))
	badAnswer := appendResponse(nil, statusBadRequest)

	garbage := make([]byte, requestSize)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	garbage[0] = 'x'
	wrongVersion := bytes.Clone(good)
	wrongVersion[2] = 9
	flags := bytes.Clone(good)
	flags[3] = 1

	cases := []struct {
		name       string
		payload    []byte
		closeWrite bool
		want       []byte
	}{
		{"empty then EOF", nil, true, nil},
		{"short then EOF", good[:10], true, nil},
		{"short then stall", good[:10], false, nil}, // RequestTimeout
		{"wrong magic", garbage, false, badAnswer},
		{"wrong version", wrongVersion, false, badAnswer},
		{"reserved flags", flags, false, badAnswer},
		{"http", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + "aaaaaaaaaa"), false, badAnswer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := rawRelay(t, tr.addr, tc.payload, tc.closeWrite); !bytes.Equal(got, tc.want) {
				t.Fatalf("relay answered %x, want %x", got, tc.want)
			}
		})
	}

	// Sending before being paired gives up the place: the partner then waits
	// alone rather than being spliced to a rule breaker.
	tok := randToken(t)
	early, err := net.Dial("tcp", tr.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer early.Close()
	early.Write(appendRequest([]byte{Prefix}, tok))
	waitFor(t, "waiter", func() bool { return tr.srv.Stats().Waiting == 1 })
	early.Write([]byte("too soon"))
	if n := readClosed(t, early); n != 0 {
		t.Fatalf("early sender got %d bytes", n)
	}
	waitFor(t, "waiter gone", func() bool { return tr.srv.Stats().Waiting == 0 })

	if st := tr.srv.Stats(); st.Refused != uint64(len(cases))+1 || st.Active != 0 || st.Sessions != 0 {
		t.Fatalf("stats: %+v", st)
	}
	tr.srv.Close()
	checkGoroutines(t, before+2) // the test relay's accept loop is still up
}
