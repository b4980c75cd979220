package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"tincan/core/clock/clocktest"
	"tincan/core/discovery/cftest"
)

const (
	testToken = "test-token-0123456789abcdefghijklmnopqrstu"
	testZone  = "tincan.example"
	testEntry = "entry.tincan.example"
)

// newFake starts a fake Cloudflare API holding testZone.
func newFake(t *testing.T) *cftest.Server {
	t.Helper()
	srv := cftest.NewServer(testToken, testZone)
	t.Cleanup(srv.Close)
	return srv
}

// newProvider returns a Cloudflare provider pointed at srv, without client-side
// rate limiting or retries so tests stay fast.
func newProvider(t *testing.T, srv *cftest.Server, token string) *Cloudflare {
	t.Helper()
	p, err := NewCloudflare(CloudflareConfig{Token: token, ZoneID: srv.ZoneID(testZone), RecordName: testEntry,
		BaseURL: srv.URL(), RateLimit: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// entryNet gives entry points real TCP listeners on 127.0.0.N, all on one port.
type entryNet struct {
	t    *testing.T
	port uint16
	mu   sync.Mutex
	lns  map[netip.Addr]net.Listener
	wg   sync.WaitGroup
}

// newEntryNet finds a port free on 127.0.0.1..127.0.0.hosts.
func newEntryNet(t *testing.T, hosts int) *entryNet {
	t.Helper()
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := uint16(ln.Addr().(*net.TCPAddr).Port)
		_ = ln.Close()
		n := &entryNet{t: t, port: port, lns: map[netip.Addr]net.Listener{}}
		ok := true
		for i := 1; i <= hosts; i++ {
			if err := n.tryUp(host(i)); err != nil {
				ok = false
				break
			}
		}
		if ok {
			t.Cleanup(n.closeAll)
			return n
		}
		n.closeAll()
	}
	t.Fatal("no port free on all loopback hosts")
	return nil
}

// host returns 127.0.0.i.
func host(i int) netip.Addr { return netip.AddrFrom4([4]byte{127, 0, 0, byte(i)}) }

func (n *entryNet) tryUp(a netip.Addr) error {
	ln, err := net.Listen("tcp", netip.AddrPortFrom(a, n.port).String())
	if err != nil {
		return fmt.Errorf("listen %s: %w", a, err)
	}
	n.mu.Lock()
	n.lns[a] = ln
	n.mu.Unlock()
	n.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	})
	return nil
}

// up (re)starts the listener of a.
func (n *entryNet) up(a netip.Addr) {
	n.t.Helper()
	if err := n.tryUp(a); err != nil {
		n.t.Fatal(err)
	}
}

// down closes the listener of a, so probes of it fail.
func (n *entryNet) down(a netip.Addr) {
	n.mu.Lock()
	ln := n.lns[a]
	delete(n.lns, a)
	n.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
}

func (n *entryNet) closeAll() {
	n.mu.Lock()
	for a, ln := range n.lns {
		_ = ln.Close()
		delete(n.lns, a)
	}
	n.mu.Unlock()
	n.wg.Wait()
}

// electorOpts adjusts the config of a test elector.
type electorOpts func(*ElectorConfig)

// newTestElector returns an elector for self on the fake, reachable unless told otherwise.
func newTestElector(t *testing.T, srv *cftest.Server, n *entryNet, clock Clock, self netip.Addr, opts ...electorOpts) *Elector {
	t.Helper()
	cfg := ElectorConfig{
		Provider:     newProvider(t, srv, testToken),
		Prober:       tcpProber{},
		Allow:        []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Port:         n.port,
		Self:         func() netip.Addr { return self },
		Reachable:    func() bool { return true },
		Clock:        clock,
		Interval:     time.Minute,
		ProbeTimeout: 2 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	e, err := NewElector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// addrsOf returns the addresses published under testEntry, oldest first.
func addrsOf(srv *cftest.Server) []netip.Addr {
	var out []netip.Addr
	for _, r := range srv.Records(testEntry) {
		out = append(out, netip.MustParseAddr(r.Content))
	}
	return out
}

// waitTimers waits until clock has n pending timers.
func waitTimers(t *testing.T, clock *clocktest.Fake, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clock.WaitForTimers(ctx, n); err != nil {
		t.Fatalf("waiting for %d pending timers (have %d): %v", n, clock.Pending(), err)
	}
}

// runAll starts Run for each elector and returns a stop func that waits for them.
func runAll(t *testing.T, es ...*Elector) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, e := range es {
		wg.Go(func() {
			if err := e.Run(ctx); err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

// checkOK runs one check and fails the test on error.
func checkOK(t *testing.T, e *Elector) {
	t.Helper()
	if err := e.Check(context.Background()); err != nil {
		t.Fatalf("check: %v", err)
	}
}

var errTest = errors.New("test failure")

// tcpProber stands in for a tincan node's handshake in the elector's own
// tests, where every entry is a bare listener: it says "up" when a TCP
// connection opens. Production probes speak the link handshake
// (core/node's linkProber).
type tcpProber struct{}

func (tcpProber) Probe(ctx context.Context, addr netip.AddrPort, _ string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return fmt.Errorf("probe %s: %w", addr, err)
	}
	return c.Close()
}

// advanceToLast moves clock to the last pending timer's deadline, firing
// every pending timer once; a timer armed by a check lies at least one
// interval minus its jitter beyond, so it waits for the next round.
func advanceToLast(clock *clocktest.Fake) {
	d := clock.Deadlines()
	if len(d) == 0 {
		return
	}
	clock.Advance(d[len(d)-1].Sub(clock.Now()))
}
