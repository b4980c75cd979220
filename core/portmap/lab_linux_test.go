//go:build linux

package portmap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"tincan/natlab"
)

// testPort is the port the tests map: the node's own.
const testPort = 7448

var (
	labOnce sync.Once
	lab     *natlab.Lab
	labErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if lab != nil {
		start := time.Now()
		lab.Close()
		fmt.Fprintf(os.Stderr, "natlab %s closed in %v\n", lab.Prefix, time.Since(start).Round(time.Millisecond))
	}
	os.Exit(code)
}

// sharedLab builds, once for all tests, a lab of four UPnP sites (miniupnpd
// with UPnP, NAT-PMP and PCP) and four port-restricted ones (no mapping
// router).
func sharedLab(t *testing.T) *natlab.Lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test builds a NAT lab with network namespaces and miniupnpd: run it as root (sudo go test ./core/portmap/), as CI does")
	}
	labOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		lab, labErr = natlab.New(ctx, natlab.Options{Kinds: []natlab.Kind{natlab.UPnP, natlab.PortRestricted}, SitesPerKind: 4})
		if labErr == nil {
			fmt.Fprintf(os.Stderr, "natlab %s built in %v\n", lab.Prefix, time.Since(start).Round(time.Millisecond))
		}
	})
	if labErr != nil {
		t.Fatal(labErr)
	}
	return lab
}

// records is a slog handler that keeps what was logged and shows it in the test's output.
type records struct {
	slog.Handler
	mu   *sync.Mutex
	list *[]slog.Record
}

func newRecords(t *testing.T) records {
	return records{Handler: slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}),
		mu: &sync.Mutex{}, list: &[]slog.Record{}}
}

func (r records) Handle(ctx context.Context, rec slog.Record) error {
	r.mu.Lock()
	*r.list = append(*r.list, rec.Clone())
	r.mu.Unlock()
	return r.Handler.Handle(ctx, rec)
}

func (r records) WithAttrs(as []slog.Attr) slog.Handler {
	return records{Handler: r.Handler.WithAttrs(as), mu: r.mu, list: r.list}
}

// count is how many records of level lv have message msg ("" for any).
func (r records) count(lv slog.Level, msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, rec := range *r.list {
		if rec.Level == lv && (msg == "" || rec.Message == msg) {
			n++
		}
	}
	return n
}

// running is a Keeper running inside a site's host namespace.
type running struct {
	k      *Keeper
	cancel context.CancelFunc
	done   chan error
}

func runKeeper(t *testing.T, s *natlab.Site, o Options) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{k: NewKeeper(testPort, o), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- natlab.Do(s.Host, func() error { return r.k.Run(ctx) }) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop ends Run and returns how long it took to return.
func (r *running) stop(t *testing.T) time.Duration {
	t.Helper()
	if r.done == nil {
		return 0
	}
	start := time.Now()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return 10s after its context ended")
	}
	r.done = nil
	return time.Since(start)
}

// waitMapped waits until the Keeper reports both protocols.
func waitMapped(t *testing.T, k *Keeper, within time.Duration) []Mapping {
	t.Helper()
	timeout := time.After(within)
	for {
		if ms := k.Current(); len(ms) == 2 {
			return ms
		}
		select {
		case <-k.Changes():
		case <-timeout:
			t.Fatalf("no TCP and UDP mapping within %v; have %+v", within, k.Current())
		}
	}
}

// listeners open the mapped port (TCP and UDP) inside the site's host.
func listeners(t *testing.T, s *natlab.Site) (*net.TCPListener, *net.UDPConn) {
	t.Helper()
	var tl *net.TCPListener
	var ul *net.UDPConn
	err := natlab.Do(s.Host, func() (err error) {
		if tl, err = net.ListenTCP("tcp4", &net.TCPAddr{Port: testPort}); err != nil {
			return err
		}
		ul, err = net.ListenUDP("udp4", &net.UDPAddr{Port: testPort})
		return err
	})
	if err != nil {
		t.Fatalf("listeners in %s: %v", s.Name, err)
	}
	t.Cleanup(func() { tl.Close(); ul.Close() })
	return tl, ul
}

// reachTCP dials target from the lab's public entry host and checks that
// the connection and its first bytes arrive at tl.
func reachTCP(l *natlab.Lab, target netip.AddrPort, tl *net.TCPListener, msg string) error {
	got := make(chan string, 1)
	go func() {
		_ = tl.SetDeadline(time.Now().Add(2 * time.Second))
		c, err := tl.Accept()
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 64)
		n, _ := c.Read(buf)
		got <- string(buf[:n])
	}()
	err := natlab.Do(l.Entry.Host, func() error {
		c, err := net.DialTimeout("tcp4", target.String(), time.Second)
		if err != nil {
			_ = tl.SetDeadline(time.Now()) // nothing will come
			return err
		}
		defer c.Close()
		_, err = c.Write([]byte(msg))
		return err
	})
	g := <-got
	if err != nil {
		return fmt.Errorf("TCP from the WAN to %s: %w", target, err)
	}
	if g != msg {
		return fmt.Errorf("TCP from the WAN to %s: listener got %q, want %q", target, g, msg)
	}
	return nil
}

// reachUDP sends a datagram from the entry host to target, checks that ul
// gets it, answers, and that the answer comes back from target.
func reachUDP(l *natlab.Lab, target netip.AddrPort, ul *net.UDPConn, msg string) error {
	var c *net.UDPConn
	if err := natlab.Do(l.Entry.Host, func() (err error) { c, err = net.ListenUDP("udp4", nil); return err }); err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.WriteToUDPAddrPort([]byte(msg), target); err != nil {
		return fmt.Errorf("UDP to %s: %w", target, err)
	}
	buf := make([]byte, 64)
	_ = ul.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	for {
		n, from, err := ul.ReadFromUDPAddrPort(buf)
		if err != nil {
			return fmt.Errorf("UDP from the WAN to %s: not received: %w", target, err)
		}
		if string(buf[:n]) != msg {
			continue
		}
		if _, err := ul.WriteToUDPAddrPort([]byte("re:"+msg), from); err != nil {
			return fmt.Errorf("UDP answer: %w", err)
		}
		break
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	n, from, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		return fmt.Errorf("UDP answer from %s: %w", target, err)
	}
	if from != target || string(buf[:n]) != "re:"+msg {
		return fmt.Errorf("UDP answer %q from %s, want %q from %s", buf[:n], from, "re:"+msg, target)
	}
	return nil
}

// routerEntry asks the site's gateway by UPnP for its mapping of ext/proto
// and returns the internal client ("" and the error if it has none).
func routerEntry(s *natlab.Site, proto string, ext uint16) (string, error) {
	var v string
	err := natlab.Do(s.Host, func() error {
		ctx := context.Background()
		c, err := discoverIGD(ctx, s.Gateway, 3*time.Second)
		if err != nil {
			return err
		}
		if err := c.begin(ctx); err != nil {
			return err
		}
		args := [][2]string{{"NewRemoteHost", ""}, {"NewExternalPort", strconv.Itoa(int(ext))}, {"NewProtocol", proto}}
		v, err = c.call(ctx, c.svc, "GetSpecificPortMappingEntry", args, "NewInternalClient")
		return err
	})
	return v, err
}

// routerDelete has the site's gateway drop its mapping of ext/proto, asking
// by UPnP from the host (in secure mode, the host may delete its own).
func routerDelete(s *natlab.Site, proto string, ext uint16) error {
	return natlab.Do(s.Host, func() error {
		ctx := context.Background()
		c, err := discoverIGD(ctx, s.Gateway, 3*time.Second)
		if err != nil {
			return err
		}
		if err := c.begin(ctx); err != nil {
			return err
		}
		args := [][2]string{{"NewRemoteHost", ""}, {"NewExternalPort", strconv.Itoa(int(ext))}, {"NewProtocol", proto}}
		_, err = c.call(ctx, c.svc, "DeletePortMapping", args, "")
		return err
	})
}

// checkMappings checks what Current reports against the site; the router
// grants a lease of at most maxLease.
func checkMappings(t *testing.T, s *natlab.Site, ms []Mapping, method string, maxLease time.Duration) {
	t.Helper()
	protos := map[string]bool{}
	for _, m := range ms {
		protos[m.Protocol] = true
		if m.Method != method {
			t.Errorf("%s mapping by %q, want %q", m.Protocol, m.Method, method)
		}
		if want := netip.AddrPortFrom(s.HostIP, testPort); m.Internal != want {
			t.Errorf("%s internal %s, want %s", m.Protocol, m.Internal, want)
		}
		if want := netip.AddrPortFrom(s.WANIP, testPort); m.External != want {
			t.Errorf("%s external %s, want %s (the router's address, the same port while it is free)", m.Protocol, m.External, want)
		}
		if left := time.Until(m.Expires); left <= 0 || left > maxLease+time.Second {
			t.Errorf("%s mapping expires in %v, want within the router's lease %v", m.Protocol, left, maxLease)
		}
	}
	if !protos[TCP] || !protos[UDP] {
		t.Errorf("mapped protocols %v, want tcp and udp", protos)
	}
}

// testMethod maps the port by one method, proves the mapping from the WAN
// with TCP and UDP, has the router drop it and proves that renewals make it
// again and keep it past its first lease, stops the Keeper and proves the
// router no longer has it. The router grants leases of at most
// maxLease.
func testMethod(t *testing.T, s *natlab.Site, method string, maxLease time.Duration) {
	l := sharedLab(t)
	tl, ul := listeners(t, s)
	rec := newRecords(t)
	const lifetime = 2 * time.Second
	r := runKeeper(t, s, Options{Methods: []string{method}, Lifetime: lifetime, Timeout: 2 * time.Second,
		Retry: time.Second, Logger: slog.New(rec)})
	start := time.Now()
	ms := waitMapped(t, r.k, 10*time.Second)
	t.Logf("%s mapped in %v: %+v", method, time.Since(start).Round(time.Millisecond), ms)
	checkMappings(t, s, ms, method, maxLease)
	ext := ms[0].External
	for _, p := range []string{"TCP", "UDP"} {
		if v, err := routerEntry(s, p, ext.Port()); err != nil || v != s.HostIP.String() {
			t.Errorf("router's %s mapping of %d: client %q, %v; want %s", p, ext.Port(), v, err, s.HostIP)
		}
	}
	if err := reachTCP(l, ext, tl, "hello over tcp"); err != nil {
		t.Error(err)
	}
	if err := reachUDP(l, ext, ul, "hello over udp"); err != nil {
		t.Error(err)
	}

	// The router loses the mappings (as after a restart). Past the first
	// lease, renewals have made them again and kept them: same addresses,
	// later expiry.
	first := ms[0].Expires
	for _, p := range []string{"TCP", "UDP"} {
		if err := routerDelete(s, p, ext.Port()); err != nil {
			t.Fatalf("deleting the router's %s mapping of %d: %v", p, ext.Port(), err)
		}
	}
	// Wait for the renewals to have made both again (a deadline of a few
	// lease times, not one fixed sleep: a renewal may be half done when a
	// fixed sleep ends).
	renewed := func() (string, bool) {
		now := r.k.Current()
		if len(now) != 2 || now[0].External != ext || now[1].External != ext || !now[0].Expires.After(first) || !now[1].Expires.After(first) {
			return fmt.Sprintf("mappings %+v; want both at %s, renewed past %v", now, ext, first), false
		}
		for _, p := range []string{"TCP", "UDP"} {
			if v, err := routerEntry(s, p, ext.Port()); err != nil || v != s.HostIP.String() {
				return fmt.Sprintf("router's %s mapping of %d: client %q, %v; want %s", p, ext.Port(), v, err, s.HostIP), false
			}
		}
		return "", true
	}
	deadline := time.Now().Add(4*lifetime + 2*time.Second)
	for {
		why, ok := renewed()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("not made again within %v after the router dropped them: %s", 4*lifetime+2*time.Second, why)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := reachTCP(l, ext, tl, "made again"); err != nil {
		t.Errorf("after the router dropped the mapping and renewals: %v", err)
	}
	if err := reachUDP(l, ext, ul, "made again"); err != nil {
		t.Errorf("after the router dropped the mapping and renewals: %v", err)
	}

	took := r.stop(t)
	t.Logf("Run returned %v after cancel, mappings removed", took.Round(time.Millisecond))
	if ms := r.k.Current(); len(ms) != 0 {
		t.Errorf("Current after stop: %+v", ms)
	}
	for _, p := range []string{"TCP", "UDP"} {
		v, err := routerEntry(s, p, ext.Port())
		var ue *upnpError
		if !errors.As(err, &ue) || ue.Code != upnpNoSuchEntry {
			t.Errorf("router's %s mapping of %d after stop: client %q, %v; want error 714 NoSuchEntryInArray", p, ext.Port(), v, err)
		}
	}
	if err := reachTCP(l, ext, tl, "gone"); err == nil {
		t.Error("TCP from the WAN still reaches the host after the Keeper stopped")
	}
	if err := reachUDP(l, ext, ul, "gone"); err == nil {
		t.Error("UDP from the WAN still reaches the host after the Keeper stopped")
	}
	if n := rec.count(slog.LevelError, "") + rec.count(slog.LevelWarn, ""); n != 0 {
		t.Errorf("%d warnings or errors logged", n)
	}
	if n := rec.count(slog.LevelInfo, pcpLostMsg); n != 0 {
		t.Errorf("a router restart seen %d times; it ran all along", n)
	}
}

func TestNATPMP(t *testing.T) {
	t.Parallel()
	testMethod(t, sharedLab(t).SitesOf(natlab.UPnP)[0], MethodNATPMP, 2*time.Second)
}

func TestUPnP(t *testing.T) {
	t.Parallel()
	testMethod(t, sharedLab(t).SitesOf(natlab.UPnP)[1], MethodUPnP, 2*time.Second)
}

// miniupnpdPCPMinLease is the shortest lease miniupnpd grants by PCP (its
// min_lifetime, 120 s unless configured): it lengthens shorter asks.
const miniupnpdPCPMinLease = 120 * time.Second

func TestPCP(t *testing.T) {
	t.Parallel()
	testMethod(t, sharedLab(t).SitesOf(natlab.UPnP)[3], MethodPCP, miniupnpdPCPMinLease)
}

// TestNoRouter runs a Keeper behind a router that maps nothing: it keeps
// trying, logs that at Info once and never louder, reports no mapping and
// returns promptly when stopped.
func TestNoRouter(t *testing.T) {
	t.Parallel()
	s := sharedLab(t).SitesOf(natlab.PortRestricted)[0]
	rec := newRecords(t)
	r := runKeeper(t, s, Options{Timeout: 400 * time.Millisecond, Retry: 100 * time.Millisecond, Logger: slog.New(rec)})
	deadline := time.Now().Add(6 * time.Second)
	for rec.count(slog.LevelDebug, "no port mapping yet") < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// Stop it in the middle of an attempt (the SSDP search waits for answers).
	time.Sleep(200 * time.Millisecond)
	select {
	case <-r.k.Changes():
		t.Errorf("Changes signalled without a router: %+v", r.k.Current())
	default:
	}
	if ms := r.k.Current(); len(ms) != 0 {
		t.Errorf("Current without a router: %+v", ms)
	}
	if took := r.stop(t); took > 500*time.Millisecond {
		t.Errorf("Run took %v to return after cancel", took)
	}
	if n := rec.count(slog.LevelDebug, "no port mapping yet"); n < 2 {
		t.Errorf("%d retries logged, want at least 2", n)
	}
	if n := rec.count(slog.LevelInfo, "no port mapping: no router here offers it"); n != 1 {
		t.Errorf("the missing router was logged at Info %d times, want once", n)
	}
	if n := rec.count(slog.LevelError, "") + rec.count(slog.LevelWarn, ""); n != 0 {
		t.Errorf("%d warnings or errors logged", n)
	}
}

// TestTakenPort: when the router already forwards the port to another host
// of the LAN, each method (and the default order, which picks PCP) gets
// another external port, which reaches us, and leaves the other host's
// mapping alone. An IGDv1 service, which has no
// AddAnyPortMapping, gets a random port instead.
func TestTakenPort(t *testing.T) {
	t.Parallel()
	l := sharedLab(t)
	s := l.SitesOf(natlab.UPnP)[2]
	tl, ul := listeners(t, s)
	other := takePort(t, s)
	// The last round asks with the default methods, of which PCP comes first.
	for i, method := range []string{MethodUPnP, MethodNATPMP, MethodPCP, MethodPCP} {
		methods := []string{method}
		if i == 3 {
			methods = nil
		}
		r := runKeeper(t, s, Options{Methods: methods, Timeout: 2 * time.Second, Logger: slog.New(newRecords(t))})
		ms := waitMapped(t, r.k, 10*time.Second)
		t.Logf("%s with port %d taken: %+v", method, testPort, ms)
		for _, m := range ms {
			if m.External.Addr() != s.WANIP || m.External.Port() == testPort || m.External.Port() == 0 {
				t.Errorf("%s %s external %s, want %s with another port than the taken %d", method, m.Protocol, m.External, s.WANIP, testPort)
			}
			if m.Method != method || m.Internal != netip.AddrPortFrom(s.HostIP, testPort) {
				t.Errorf("%s mapping %+v", method, m)
			}
			var err error
			switch m.Protocol {
			case TCP:
				err = reachTCP(l, m.External, tl, method+" on another port")
			case UDP:
				err = reachUDP(l, m.External, ul, method+" on another port")
			}
			if err != nil {
				t.Errorf("%s: %v", method, err)
			}
		}
		r.stop(t)
		for _, p := range []string{"TCP", "UDP"} {
			if v, err := routerEntry(s, p, testPort); err != nil || v != other.String() {
				t.Errorf("after %s stopped, the router's mapping of %s %d: client %q, %v; want the other host %s", method, p, testPort, v, err, other)
			}
		}
	}

	var c *upnpClient
	var ext uint16
	err := natlab.Do(s.Host, func() (err error) {
		if c, err = discoverIGD(t.Context(), netip.Addr{}, 3*time.Second); err != nil {
			return err
		}
		if err := c.begin(t.Context()); err != nil {
			return err
		}
		c.svc.Type = "urn:schemas-upnp-org:service:WANIPConnection:1"
		ap, _, err := c.add(t.Context(), TCP, testPort, testPort, time.Minute)
		ext = ap.Port()
		return err
	})
	if err != nil || ext == testPort || ext < 1024 {
		t.Fatalf("IGDv1 mapping with port %d taken: port %d, %v", testPort, ext, err)
	}
	t.Logf("IGDv1 with port %d taken: got %d", testPort, ext)
	if v, err := routerEntry(s, "TCP", ext); err != nil || v != s.HostIP.String() {
		t.Errorf("router's mapping of %d: client %q, %v", ext, v, err)
	}
	if err := reachTCP(l, netip.AddrPortFrom(s.WANIP, ext), tl, "v1"); err != nil {
		t.Error(err)
	}
	if err := natlab.Do(s.Host, func() error { return c.remove(t.Context(), TCP, testPort, ext) }); err != nil {
		t.Error(err)
	}
}

// takePort gives the site's host a second LAN address and maps the test
// port (TCP and UDP) by NAT-PMP from it, as another host of the LAN would.
func takePort(t *testing.T, s *natlab.Site) netip.Addr {
	t.Helper()
	other := s.HostIP.Next()
	if out, err := exec.Command("ip", "-n", s.Host, "addr", "add", other.String()+"/24", "dev", "eth0").CombinedOutput(); err != nil {
		t.Fatalf("second address in %s: %v: %s", s.Host, err, out)
	}
	err := natlab.Do(s.Host, func() error {
		c, err := net.DialUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(other, 0)),
			net.UDPAddrFromAddrPort(netip.AddrPortFrom(s.Gateway, natpmpPort)))
		if err != nil {
			return err
		}
		defer c.Close()
		buf := make([]byte, 64)
		for _, op := range []byte{natpmpOpTCP, natpmpOpUDP} {
			if _, err := c.Write(natpmpMapRequest(op, testPort, testPort, 60)); err != nil {
				return err
			}
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			n, err := c.Read(buf)
			if err != nil {
				return err
			}
			a, err := parseNATPMP(buf[:n])
			if err != nil || a.Mapped != testPort {
				return fmt.Errorf("NAT-PMP answer %+v, %v; want port %d", a, err, testPort)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("mapping port %d for %s: %v", testPort, other, err)
	}
	return other
}
