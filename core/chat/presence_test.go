package chat

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"tincan/core/store"
)

// noDial gives a node no route to anyone: with presence every node dials
// its contacts at start, and some tests need only one side to dial.
func noDial(cfg *Config) {
	cfg.Locator = routerFunc(func(store.Contact) []Route { return nil })
}

// locatorFunc is a plain Locator from a function.
type locatorFunc func(c store.Contact) []string

func (f locatorFunc) Locate(_ context.Context, c store.Contact) ([]string, error) { return f(c), nil }

// presenceDeadline is how soon after a restart both sides must show online.
const presenceDeadline = 2 * time.Second

// waitOnline waits up to presenceDeadline for n to show contact c online.
func waitOnline(t *testing.T, n *node, c store.Contact, since time.Time) {
	t.Helper()
	for !n.m.Presence(c.ID).Online {
		if time.Since(since) > presenceDeadline {
			t.Fatalf("%s still shows %s offline %v after the restart", n.name, c.Name, presenceDeadline)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPresenceAfterRestart: bob restarts on the same address with nothing
// queued on either side; both show each other online again within
// presenceDeadline, whether bob dials at start or only alice redials.
func TestPresenceAfterRestart(t *testing.T) {
	for _, tc := range []struct {
		name     string
		bobDials bool
	}{{"restarted side dials", true}, {"remaining side redials", false}} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			a, b := newNode(t, "alice"), newNode(t, "bob")
			bAtA, aAtB := a.know(b), b.know(a)
			a.tweak = func(cfg *Config) { cfg.PresenceMax = 300 * time.Millisecond }
			a.start()
			b.start()
			start := time.Now()
			waitOnline(t, a, bAtA, start)
			waitOnline(t, b, aAtB, start)

			b.stop()
			waitFor(t, "alice to see bob offline", func() bool { return !a.m.Presence(bAtA.ID).Online })
			waitFor(t, "alice to redial bob while he is away", func() bool { return a.logs.count("dial failed") >= 2 })
			b.listen()
			if !tc.bobDials {
				b.tweak = noDial
			}
			bobDialed := b.logs.count("route open")
			back := time.Now()
			b.start()
			waitOnline(t, a, bAtA, back)
			waitOnline(t, b, aAtB, back)
			if ob := a.outbox(bAtA); len(ob) != 0 {
				t.Fatalf("alice's outbox holds %d messages; the test needs it empty", len(ob))
			}
			if !tc.bobDials && b.logs.count("route open") != bobDialed {
				t.Fatal("bob dialed although he had no route; the test proves nothing about alice")
			}
			a.shutdown()
			b.shutdown()
		})
	}
}

// TestRememberedAddrAfterRestart: alice reaches bob once through a locator
// that knows him, then restarts knowing no address for him but the one she
// remembered; she reaches him again, and the stored user address stays empty.
func TestRememberedAddrAfterRestart(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA, err := a.st.AddContact(context.Background(), contactOf(t, "bob", b.id, ""))
	if err != nil {
		t.Fatal(err)
	}
	aAtB, err := b.st.AddContact(context.Background(), contactOf(t, "alice", a.id, ""))
	if err != nil {
		t.Fatal(err)
	}
	b.tweak = noDial
	a.tweak = func(cfg *Config) {
		cfg.Locator = locatorFunc(func(store.Contact) []string { return []string{b.addr} })
	}
	b.start()
	a.start()
	waitFor(t, "alice to reach bob through the locator", func() bool { return a.m.Presence(bAtA.ID).Online })
	waitFor(t, "alice to remember bob's address", func() bool {
		c, err := a.st.ContactByID(context.Background(), bAtA.ID)
		return err == nil && c.LastAddr == b.addr
	})

	a.stop()
	waitFor(t, "bob to see alice offline", func() bool { return !b.m.Presence(aAtB.ID).Online })
	a.listen()
	a.tweak = nil // the static locator: no address stored for bob
	back := time.Now()
	a.start()
	waitOnline(t, a, bAtA, back)
	waitOnline(t, b, aAtB, back)
	c, err := a.st.ContactByID(context.Background(), bAtA.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "" {
		t.Errorf("the user-given address became %q; it must stay as given (empty)", c.Addr)
	}
	a.shutdown()
	b.shutdown()
}

// dialCounter is a Dialer that fails every dial after a short wait,
// recording when each started and how many ran at once.
type dialCounter struct {
	wait     time.Duration
	mu       sync.Mutex
	starts   []time.Time
	running  int
	maxAtOnc int
}

func (d *dialCounter) DialContext(ctx context.Context, _, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.starts = append(d.starts, time.Now())
	d.running++
	d.maxAtOnc = max(d.maxAtOnc, d.running)
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.running--
		d.mu.Unlock()
	}()
	t := time.NewTimer(d.wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil, fmt.Errorf("dial %s: %w", addr, errors.New("offline"))
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (d *dialCounter) snapshot() ([]time.Time, int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Time(nil), d.starts...), d.maxAtOnc
}

// TestPresenceDialsBounded: 50 offline contacts with nothing to send are
// all dialed, but never more than presenceDials at once nor more than one
// per presenceGap (about 20 a second), even with redials due every 20 ms:
// dials that fail at once test the rate, dials that hang test the count.
func TestPresenceDialsBounded(t *testing.T) {
	for _, wait := range []time.Duration{0, time.Second} {
		t.Run(fmt.Sprintf("dials fail after %v", wait), func(t *testing.T) { testPresenceDialsBounded(t, wait) })
	}
}

func testPresenceDialsBounded(t *testing.T, wait time.Duration) {
	checkGoroutines(t)
	a := newNode(t, "alice")
	const contacts = 50
	for i := range contacts {
		key := []byte(fmt.Sprintf("not a real key %d", i))
		fp := sha256.Sum256(key)
		c := store.Contact{Name: fmt.Sprintf("offline %02d", i), Card: "card", PublicKey: key, Fingerprint: fp[:],
			SecretID: make([]byte, 16), Addr: fmt.Sprintf("192.0.2.%d:4000", i+1)}
		if _, err := a.st.AddContact(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	d := &dialCounter{wait: wait}
	a.tweak = func(cfg *Config) { cfg.Dialer = d; cfg.PresenceMax = 20 * time.Millisecond }
	a.start()
	const window = 3 * time.Second
	time.Sleep(window) // the measured window: dials are counted, not awaited
	a.stop()
	starts, most := d.snapshot()
	if most > presenceDials {
		t.Errorf("%d presence dials ran at once, the bound is %d", most, presenceDials)
	}
	// The gate passes dials presenceGap apart; the dialer sees them a
	// little later, each by its own scheduling delay: two of slack.
	perSecond := int(time.Second/presenceGap) + 2
	for i := range starts {
		n := 0
		for j := i; j < len(starts) && starts[j].Sub(starts[i]) < time.Second; j++ {
			n++
		}
		if n > perSecond {
			t.Fatalf("%d dials started within one second from dial %d, the bound is %d", n, i, perSecond)
		}
	}
	span := starts[len(starts)-1].Sub(starts[0])
	t.Logf("%d dials of %d offline contacts in %v (%.1f/s), at most %d at once",
		len(starts), contacts, span.Round(time.Millisecond), float64(len(starts))/span.Seconds(), most)
	possible := int(window / presenceGap) // the rate bound
	if wait > 0 {
		possible = min(possible, int(window/wait)*presenceDials) // the concurrency bound
	}
	if len(starts) < possible/2 {
		t.Errorf("only %d dials in %v, want at least %d of the %d the bounds allow: the gate holds dials back too much", len(starts), span, possible/2, possible)
	}
}
