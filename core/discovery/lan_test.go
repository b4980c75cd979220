package discovery

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// testGUID returns a GUID whose bytes are all b.
func testGUID(b byte) [20]byte {
	var g [20]byte
	for i := range g {
		g[i] = b
	}
	return g
}

func TestLANBeaconEncoding(t *testing.T) {
	g := testGUID(0xab)
	g[0], g[19] = 0x01, 0xfe
	got := encodeLANBeacon(g, 0x1d11)
	want, _ := hex.DecodeString("74696e63616e2d6c616e" + "01" + "01" + strings.Repeat("ab", 18) + "fe" + "1d11")
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded\n%x\nwant\n%x", got, want)
	}
	if len(got) != 33 {
		t.Fatalf("beacon is %d bytes, want 33", len(got))
	}
	g2, port, err := decodeLANBeacon(got)
	if err != nil || g2 != g || port != 0x1d11 {
		t.Fatalf("decode = %x, %d, %v", g2, port, err)
	}
}

func TestLANBeaconDecodeRejects(t *testing.T) {
	good := encodeLANBeacon(testGUID(7), 7449)
	with := func(i int, v byte) []byte {
		b := bytes.Clone(good)
		b[i] = v
		return b
	}
	for name, pkt := range map[string][]byte{
		"empty":      nil,
		"short":      good[:32],
		"long":       append(bytes.Clone(good), 0),
		"magic":      with(0, 'T'),
		"magic end":  with(9, 'N'),
		"version 0":  with(10, 0),
		"version 2":  with(10, 2),
		"zero port":  append(bytes.Clone(good[:31]), 0, 0),
		"zero GUID":  append(append([]byte("tincan-lan\x01"), make([]byte, 20)...), 0x1d, 0x19),
		"other text": []byte("tincan-lan v1 hello there, world!"),
	} {
		if g, p, err := decodeLANBeacon(pkt); !errors.Is(err, errBadBeacon) {
			t.Errorf("%s: decode = %x, %d, %v; want errBadBeacon", name, g, p, err)
		}
	}
}

// FuzzLANBeacon checks that beacon decoding never panics and accepts only
// well-formed beacons, which re-encode to the same bytes.
func FuzzLANBeacon(f *testing.F) {
	f.Add(encodeLANBeacon(testGUID(1), 7449))
	f.Add(encodeLANBeacon(testGUID(0xff), 65535))
	f.Add([]byte("tincan-lan\x02"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		g, port, err := decodeLANBeacon(pkt)
		if err != nil {
			if !errors.Is(err, errBadBeacon) || g != ([20]byte{}) || port != 0 {
				t.Fatalf("rejected with %x, %d, %v", g, port, err)
			}
			return
		}
		if len(pkt) != lanBeaconLen || port == 0 || g == ([20]byte{}) {
			t.Fatalf("accepted %x as %x, %d", pkt, g, port)
		}
		if !bytes.Equal(encodeLANBeacon(g, port), pkt) {
			t.Fatalf("%x does not round-trip", pkt)
		}
	})
}

func TestFoundLimiter(t *testing.T) {
	l := newFoundLimiter(10*time.Second, 3)
	t0 := time.Unix(1000, 0)
	a, b, c, d := testGUID(1), testGUID(2), testGUID(3), testGUID(4)
	steps := []struct {
		guid [20]byte
		at   time.Duration
		want bool
	}{
		{a, 0, true},
		{a, time.Second, false}, // same GUID within the window
		{b, time.Second, true},  // another GUID is independent
		{a, 9999 * time.Millisecond, false},
		{a, 10 * time.Second, true},            // window over: a again, now at 10s
		{c, 11 * time.Second, true},            // a@10s, b@1s, c@11s: full
		{d, 11 * time.Second, true},            // b has aged out, so d fits
		{testGUID(5), 12 * time.Second, false}, // a, c, d within the window: over the cap
		{b, 12 * time.Second, false},           // b was pruned but the cap still holds
		{testGUID(5), 20 * time.Second, true},  // a aged out
		{a, 20 * time.Second, false},           // a@10s aged out at 20s, but 5 took the slot
	}
	for i, s := range steps {
		if got := l.allow(s.guid, t0.Add(s.at)); got != s.want {
			t.Fatalf("step %d: allow(%x, +%v) = %v, want %v", i, s.guid[:1], s.at, got, s.want)
		}
	}
	if len(l.last) > 3 {
		t.Fatalf("limiter tracks %d GUIDs, cap 3", len(l.last))
	}
}

func TestLANBeaconReceive(t *testing.T) {
	type found struct {
		guid [20]byte
		addr netip.AddrPort
	}
	var got []found
	self, other, third := testGUID(1), testGUID(2), testGUID(3)
	b, err := NewLANBeacon(LANConfig{GUID: self, Port: 5000,
		Found: func(g [20]byte, a netip.AddrPort) { got = append(got, found{g, a}) }})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	src := netip.MustParseAddrPort("192.0.2.7:7449")
	b.receive(encodeLANBeacon(other, 6000), src, t0) // before the interfaces are known: no neighbour yet
	b.setOnLink([]lanIface{{subnets: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}})
	b.receive(encodeLANBeacon(other, 6000), netip.MustParseAddrPort("198.51.100.7:7449"), t0)    // not on a LAN subnet
	b.receive(encodeLANBeacon(self, 5000), src, t0)                                              // our own
	b.receive(encodeLANBeacon(other, 6000)[:32], src, t0)                                        // truncated
	b.receive(encodeLANBeacon(other, 6000), netip.MustParseAddrPort("[2001:db8::1]:7449"), t0)   // not IPv4
	b.receive(encodeLANBeacon(other, 6000), netip.MustParseAddrPort("224.0.0.1:7449"), t0)       // multicast source
	b.receive(encodeLANBeacon(other, 6000), netip.MustParseAddrPort("255.255.255.255:1"), t0)    // broadcast source
	b.receive(encodeLANBeacon(other, 6000), netip.MustParseAddrPort("0.0.0.0:7449"), t0)         // unspecified
	b.receive(encodeLANBeacon(other, 6000), src, t0)                                             // reported
	b.receive(encodeLANBeacon(other, 6001), src, t0.Add(time.Second))                            // rate-limited
	b.receive(encodeLANBeacon(third, 6002), netip.MustParseAddrPort("[::ffff:192.0.2.9]:1"), t0) // mapped: reported unmapped
	b.receive(encodeLANBeacon(other, 6003), src, t0.Add(11*time.Second))                         // window over
	want := []found{
		{other, netip.MustParseAddrPort("192.0.2.7:6000")},
		{third, netip.MustParseAddrPort("192.0.2.9:6002")},
		{other, netip.MustParseAddrPort("192.0.2.7:6003")},
	}
	if len(got) != len(want) {
		t.Fatalf("found %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("found[%d] = %x %v, want %x %v", i, got[i].guid[:1], got[i].addr, want[i].guid[:1], want[i].addr)
		}
	}
}

func TestNewLANBeaconConfig(t *testing.T) {
	found := func([20]byte, netip.AddrPort) {}
	b, err := NewLANBeacon(LANConfig{GUID: testGUID(1), Port: 1, Found: found})
	if err != nil {
		t.Fatal(err)
	}
	if b.cfg.Group != netip.MustParseAddrPort("239.255.74.48:7449") || b.cfg.Interval != 30*time.Second ||
		b.cfg.Interfaces == nil || b.log == nil {
		t.Fatalf("defaults not filled in: %+v", b.cfg)
	}
	for i := range 1000 {
		if d := b.nextDelay(); d < 24*time.Second || d > 36*time.Second {
			t.Fatalf("delay %d = %v, outside 30s ± 20%%", i, d)
		}
	}
	for name, cfg := range map[string]LANConfig{
		"zero GUID":        {Port: 1, Found: found},
		"no port":          {GUID: testGUID(1), Found: found},
		"no Found":         {GUID: testGUID(1), Port: 1},
		"unicast group":    {GUID: testGUID(1), Port: 1, Found: found, Group: netip.MustParseAddrPort("10.0.0.1:7449")},
		"IPv6 group":       {GUID: testGUID(1), Port: 1, Found: found, Group: netip.MustParseAddrPort("[ff02::1]:7449")},
		"group port 0":     {GUID: testGUID(1), Port: 1, Found: found, Group: netip.MustParseAddrPort("239.1.2.3:0")},
		"negative":         {GUID: testGUID(1), Port: 1, Found: found, Interval: -time.Second},
		"interval too low": {GUID: testGUID(1), Port: 1, Found: found, Interval: time.Millisecond},
	} {
		if _, err := NewLANBeacon(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLANInterfaceSelection(t *testing.T) {
	for _, c := range []struct {
		prefix string
		want   string
	}{
		{"10.77.0.1/24", "10.77.0.255"},
		{"192.168.1.130/25", "192.168.1.255"},
		{"172.16.5.4/12", "172.31.255.255"},
		{"10.0.0.1/30", "10.0.0.3"},
		{"10.0.0.1/31", ""},
		{"10.0.0.1/32", ""},
		{"2001:db8::1/64", ""},
	} {
		bc, ok := broadcastAddr(netip.MustParsePrefix(c.prefix))
		if (c.want == "") == ok || (ok && bc != netip.MustParseAddr(c.want)) {
			t.Errorf("broadcastAddr(%s) = %v, %v; want %q", c.prefix, bc, ok, c.want)
		}
	}
	addrs := []net.Addr{
		&net.IPNet{IP: net.ParseIP("10.1.2.3"), Mask: net.CIDRMask(24, 32)},
		&net.IPNet{IP: net.ParseIP("10.9.9.9").To4(), Mask: net.CIDRMask(16, 32)},
		&net.IPNet{IP: net.ParseIP("10.4.4.4"), Mask: net.CIDRMask(120, 128)},
		&net.IPNet{IP: net.ParseIP("2001:db8::1"), Mask: net.CIDRMask(64, 128)},
		&net.IPAddr{IP: net.ParseIP("10.5.5.5")},
	}
	got := ipv4Prefixes(addrs)
	want := []netip.Prefix{netip.MustParsePrefix("10.1.2.3/24"), netip.MustParsePrefix("10.9.9.9/16"),
		netip.MustParsePrefix("10.4.4.4/24")}
	if len(got) != len(want) {
		t.Fatalf("ipv4Prefixes = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ipv4Prefixes = %v, want %v", got, want)
		}
	}
	// Loopback, down, point-to-point and index-0 interfaces are never used.
	list := func() ([]net.Interface, error) {
		return []net.Interface{
			{Index: 1, Name: "lo", Flags: net.FlagUp | net.FlagLoopback | net.FlagMulticast},
			{Index: 1 << 30, Name: "down0", Flags: net.FlagBroadcast | net.FlagMulticast},
			{Index: 1<<30 + 1, Name: "tun0", Flags: net.FlagUp | net.FlagPointToPoint | net.FlagMulticast},
			{Index: 0, Name: "all", Flags: net.FlagUp | net.FlagBroadcast | net.FlagMulticast},
		}, nil
	}
	if ifs, err := lanInterfaces(list); !errors.Is(err, errNoLANInterfaces) {
		t.Fatalf("lanInterfaces = %v, %v; want errNoLANInterfaces", ifs, err)
	}
	boom := errors.New("boom")
	if _, err := lanInterfaces(func() ([]net.Interface, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("lanInterfaces error = %v, want boom", err)
	}
}

// logCapture is a slog.Handler that keeps records for inspection.
type logCapture struct {
	mu      sync.Mutex
	records []string
}

func (h *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCapture) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logCapture) WithGroup(string) slog.Handler            { return h }
func (h *logCapture) Handle(_ context.Context, r slog.Record) error {
	s := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
	h.mu.Lock()
	h.records = append(h.records, s)
	h.mu.Unlock()
	return nil
}

// count returns how many records contain every one of parts.
func (h *logCapture) count(parts ...string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
next:
	for _, r := range h.records {
		for _, p := range parts {
			if !strings.Contains(r, p) {
				continue next
			}
		}
		n++
	}
	return n
}

// freeUDPPort returns a UDP port that was free a moment ago.
func freeUDPPort(t *testing.T) uint16 {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

// TestLANBeaconRunWithoutInterfaces checks that having no usable interface is
// logged once, retried every interval, never fatal, and that Run stops cleanly.
func TestLANBeaconRunWithoutInterfaces(t *testing.T) {
	logs := &logCapture{}
	var mu sync.Mutex
	calls := 0
	list := func() ([]net.Interface, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls%2 == 0 {
			return nil, errors.New("interfaces not ready")
		}
		return []net.Interface{{Index: 1, Name: "lo", Flags: net.FlagUp | net.FlagLoopback | net.FlagMulticast}}, nil
	}
	b, err := NewLANBeacon(LANConfig{GUID: testGUID(1), Port: 5000, Interval: 20 * time.Millisecond,
		Group: netip.AddrPortFrom(netip.MustParseAddr("239.255.74.48"), freeUDPPort(t)),
		Found: func([20]byte, netip.AddrPort) {}, Logger: slog.New(logs), Interfaces: list})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := calls
		mu.Unlock()
		if n >= 8 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("interfaces listed %d times in 5s at a 20ms interval", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := b.Run(ctx); err == nil {
		t.Fatal("second concurrent Run accepted")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if n := logs.count("LAN discovery failed", "op=interfaces"); n != 1 {
		t.Fatalf("interface failure logged %d times, want once:\n%s", n, strings.Join(logs.records, "\n"))
	}
	if n := logs.count("recovered"); n != 0 {
		t.Fatalf("recovery logged without a recovery:\n%s", strings.Join(logs.records, "\n"))
	}
}
