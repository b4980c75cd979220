package stun

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	pion "github.com/pion/stun/v3"
)

// listen opens a UDP socket on ip (port 0) and closes it at the end of the test.
func listen(t *testing.T, ip string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(ip), 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func addrOf(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

// testServer is a Server behind a Mux on a loopback address, with an
// alternate port if alt.
type testServer struct {
	conn, alt *net.UDPConn
	srv       *Server
	mux       *Mux
}

func startServer(t *testing.T, ip string, alt bool, o ServerOptions) *testServer {
	t.Helper()
	ts := &testServer{conn: listen(t, ip)}
	if alt {
		ts.alt = listen(t, ip)
		o.Alt = ts.alt
	}
	ts.srv = NewServer(ts.conn, o)
	ts.mux = NewMux(ts.conn, MuxOptions{Server: ts.srv})
	t.Cleanup(func() { ts.mux.Close() })
	return ts
}

func (ts *testServer) addr() netip.AddrPort { return addrOf(ts.conn) }

func newID() txID {
	var id txID
	_, _ = rand.Read(id[:])
	return id
}

// readAll collects the packets that arrive on c within d.
func readAll(c *net.UDPConn, d time.Duration) (pkts [][]byte, from []netip.AddrPort) {
	buf := make([]byte, 4096)
	_ = c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	for {
		n, f, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return pkts, from
		}
		pkts = append(pkts, append([]byte(nil), buf[:n]...))
		from = append(from, f)
	}
}

func TestBindingLoopback(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := startServer(t, "127.0.0.1", false, ServerOptions{})
	c := listen(t, "127.0.0.1")

	start := time.Now()
	got, err := Binding(ctx, c, srv.addr())
	if err != nil {
		t.Fatal(err)
	}
	if got != addrOf(c) {
		t.Errorf("mapped %s, want the client's own %s", got, addrOf(c))
	}
	t.Logf("binding answered in %v", time.Since(start))

	// The temporary mux let go of c: a plain read on it works again.
	if _, err := c.WriteToUDPAddrPort([]byte("self"), addrOf(c)); err != nil {
		t.Fatal(err)
	}
	if pkts, _ := readAll(c, 300*time.Millisecond); len(pkts) != 1 || string(pkts[0]) != "self" {
		t.Errorf("after Binding the socket read %q, want one \"self\"", pkts)
	}

	// Through a long-lived mux, many bindings at once each get their own answer.
	m := NewMux(c, MuxOptions{})
	defer m.Close()
	errc := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := m.Binding(ctx, srv.addr())
			if err == nil && got != addrOf(c) {
				err = errors.New("wrong mapped address " + got.String())
			}
			errc <- err
		}()
	}
	for range 8 {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
}

func TestBindingNoAnswer(t *testing.T) {
	t.Parallel()
	silent := listen(t, "127.0.0.1") // never answers
	c := listen(t, "127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Binding(ctx, c, addrOf(silent))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the context's deadline", err)
	}
	// Retransmits: sent at 0 and 500 ms.
	pkts, _ := readAll(silent, 100*time.Millisecond)
	if len(pkts) != 2 {
		t.Errorf("silent server got %d requests in %v, want 2 (first send and one retransmit)", len(pkts), time.Since(start))
	}
	for _, p := range pkts {
		if req, err := parseRequest(p); err != nil || req.ChangeIP || req.ChangePort {
			t.Errorf("request %x: %v %+v", p, err, req)
		}
	}
	if !bytes.Equal(pkts[0], pkts[len(pkts)-1]) {
		t.Error("a retransmit differs from the first request (it must keep the transaction ID)")
	}
}

func TestBindingChecksSourceAndID(t *testing.T) {
	t.Parallel()
	fake := listen(t, "127.0.0.1") // plays the server, answering wrongly first
	c := listen(t, "127.0.0.1")
	stranger := listen(t, "127.0.0.1")
	m := NewMux(c, MuxOptions{})
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	var got netip.AddrPort
	go func() {
		var err error
		got, err = m.Binding(ctx, addrOf(fake))
		done <- err
	}()
	pkts, _ := readAll(fake, 400*time.Millisecond)
	if len(pkts) == 0 {
		t.Fatal("no request arrived")
	}
	req, err := parseRequest(pkts[0])
	if err != nil {
		t.Fatal(err)
	}
	lie := netip.MustParseAddrPort("192.0.2.66:666")
	// From another address with the right ID, and from the server with a wrong ID.
	if _, err := stranger.WriteToUDPAddrPort(buildSuccess(req.ID, lie), addrOf(c)); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WriteToUDPAddrPort(buildSuccess(newID(), lie), addrOf(c)); err != nil {
		t.Fatal(err)
	}
	// A truncated answer and an oversized one with the right ID and source.
	good := buildSuccess(req.ID, lie)
	fake.WriteToUDPAddrPort(good[:len(good)-4], addrOf(c))
	fake.WriteToUDPAddrPort(padded(good, MaxMessage+4), addrOf(c))
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Binding returned (%s, %v) on a wrong answer", got, err)
	default:
	}
	want := netip.MustParseAddrPort("192.0.2.7:7")
	if _, err := fake.WriteToUDPAddrPort(buildSuccess(req.ID, want), addrOf(c)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("mapped %s, want %s", got, want)
	}

	// An error answer is ErrRefused.
	go func() {
		_, err := m.Binding(ctx, addrOf(fake))
		done <- err
	}()
	pkts, _ = readAll(fake, 400*time.Millisecond)
	req, _ = parseRequest(pkts[len(pkts)-1]) // the first may be a late retransmit of the last binding
	fake.WriteToUDPAddrPort(buildError(req.ID, 400), addrOf(c))
	if err := <-done; !errors.Is(err, ErrRefused) {
		t.Errorf("error answer gave %v, want ErrRefused", err)
	}
}

// padded adds a PADDING attribute to a message so that it is n bytes long.
func padded(msg []byte, n int) []byte {
	m := &pion.Message{Raw: append([]byte(nil), msg...)}
	if err := m.Decode(); err != nil {
		panic(err)
	}
	m.Add(pion.AttrPadding, make([]byte, n-len(msg)-4))
	return m.Raw
}

func TestHostilePackets(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "127.0.0.1", true, ServerOptions{})
	c := listen(t, "127.0.0.1")
	id := newID()
	req := buildRequest(id, false, false)
	hostile := [][]byte{
		nil, {0}, []byte("hello, world"), bytes.Repeat([]byte{0xff}, 1400),
		req[:19],                        // short header
		append(req[:20:20], 0, 1, 0, 8), // attribute header past the length field
		padded(req, MaxMessage+4),       // too large
		buildSuccess(id, addrOf(c)),     // a response, not a request
		buildError(id, 420),             // an error response
		withType(req, pion.NewType(pion.MethodBinding, pion.ClassIndication)), // keepalive
		withType(req, pion.NewType(pion.MethodAllocate, pion.ClassRequest)),   // TURN
		withAttr(buildRequest(id, false, false), pion.AttrChangeRequest, []byte{0, 0, 0, 4, 0, 0, 0, 0}),
	}
	overrun := append(append([]byte(nil), req...), 0x80, 0x22, 0, 100, 'x', 'y', 'z', 'w')
	binary.BigEndian.PutUint16(overrun[2:], 8) // framed right, attribute overruns
	hostile = append(hostile, overrun)
	bad := append([]byte(nil), req...)
	binary.BigEndian.PutUint16(bad[2:], 400) // length field past the end
	hostile = append(hostile, bad)
	cookie := append([]byte(nil), req...)
	cookie[4] ^= 1
	hostile = append(hostile, cookie)
	for i, h := range hostile {
		if len(h) == 0 {
			continue // an empty datagram is legal UDP; send it through below
		}
		if srv.srv.HandlePacket(h, addrOf(c)) && !IsSTUN(h) {
			t.Errorf("hostile %d: non-STUN packet claimed as handled", i)
		}
	}
	for _, h := range hostile {
		if _, err := c.WriteToUDPAddrPort(h, srv.addr()); err != nil {
			t.Fatal(err)
		}
	}
	// Requests "from" addresses no answer may go to.
	for _, from := range []string{"0.0.0.0:5", "224.0.0.1:5", "255.255.255.255:5", "127.0.0.1:0"} {
		if !srv.srv.HandlePacket(req, netip.MustParseAddrPort(from)) {
			t.Errorf("request from %s not handled", from)
		}
	}
	if pkts, from := readAll(c, 300*time.Millisecond); len(pkts) != 0 {
		t.Errorf("hostile packets were answered: %d answers from %v", len(pkts), from)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if got, err := Binding(ctx, c, srv.addr()); err != nil || got != addrOf(c) {
		t.Errorf("after hostile packets: %s, %v", got, err)
	}
}

func withType(msg []byte, t pion.MessageType) []byte {
	b := append([]byte(nil), msg...)
	binary.BigEndian.PutUint16(b, t.Value())
	return b
}

func withAttr(msg []byte, typ pion.AttrType, v []byte) []byte {
	m := &pion.Message{Raw: append([]byte(nil), msg...)}
	if err := m.Decode(); err != nil {
		panic(err)
	}
	m.Add(typ, v)
	return m.Raw
}

func TestChangeRequests(t *testing.T) {
	t.Parallel()
	withAlt := startServer(t, "127.0.0.1", true, ServerOptions{})
	plain := startServer(t, "127.0.0.1", false, ServerOptions{})
	c := listen(t, "127.0.0.1")

	ask := func(to netip.AddrPort, ip, port bool) (response, netip.AddrPort, int) {
		t.Helper()
		req := buildRequest(newID(), ip, port)
		if _, err := c.WriteToUDPAddrPort(req, to); err != nil {
			t.Fatal(err)
		}
		pkts, from := readAll(c, 200*time.Millisecond)
		if len(pkts) != 1 {
			return response{}, netip.AddrPort{}, len(pkts)
		}
		r, err := parseResponse(pkts[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(pkts[0]) > len(req) {
			t.Errorf("answer of %d bytes to a request of %d: the server amplifies", len(pkts[0]), len(req))
		}
		return r, from[0], 1
	}
	if r, from, n := ask(withAlt.addr(), false, false); n != 1 || !r.OK || from != withAlt.addr() || r.Mapped != addrOf(c) {
		t.Errorf("plain binding: %d answers, %+v from %s", n, r, from)
	}
	if r, from, n := ask(withAlt.addr(), false, true); n != 1 || !r.OK || from != addrOf(withAlt.alt) || r.Mapped != addrOf(c) {
		t.Errorf("change port: %d answers, %+v from %s, want success from the alternate port %s", n, r, from, addrOf(withAlt.alt))
	}
	// Change IP is never passed on to another node: the server answers
	// "unknown attribute" itself, from its own address.
	for _, srv := range []*testServer{withAlt, plain} {
		for _, flags := range [][2]bool{{true, false}, {true, true}} {
			r, from, n := ask(srv.addr(), flags[0], flags[1])
			if n != 1 || r.OK || r.Code != 420 || from != srv.addr() {
				t.Errorf("change %v: %d answers %+v from %s, want error 420 from %s", flags, n, r, from, srv.addr())
			}
		}
	}
	if r, from, n := ask(plain.addr(), false, true); n != 1 || r.OK || r.Code != 420 || from != plain.addr() {
		t.Errorf("change port without an alternate port: %d answers %+v from %s, want error 420", n, r, from)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "127.0.0.1", false, ServerOptions{})
	flood := listen(t, "127.0.0.1")
	other := listen(t, "127.0.0.2")
	for range 100 {
		if _, err := flood.WriteToUDPAddrPort(buildRequest(newID(), false, false), srv.addr()); err != nil {
			t.Fatal(err)
		}
	}
	pkts, _ := readAll(flood, 300*time.Millisecond)
	if len(pkts) < DefaultPerIP || len(pkts) > DefaultPerIP+8 {
		t.Errorf("100 requests at once got %d answers, want about %d", len(pkts), DefaultPerIP)
	}
	// Another source IP has a bucket of its own.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := Binding(ctx, other, srv.addr()); err != nil {
		t.Errorf("another source after a flood: %v", err)
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	l := newLimiter[netip.Addr](2, 3, 3) // 2/s per address, 3/s overall, 3 addresses kept
	now := time.Unix(1000, 0)
	a, b, c := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("192.0.2.3")
	count := func(ip netip.Addr, n int) (ok int) {
		for range n {
			if l.allow(ip, now) {
				ok++
			}
		}
		return ok
	}
	if n := count(a, 5); n != 2 {
		t.Errorf("burst of a: %d, want 2", n)
	}
	if n := count(b, 5); n != 1 {
		t.Errorf("b: %d, want 1 (the overall bucket's last)", n)
	}
	if n := count(c, 5); n != 0 {
		t.Errorf("c past the overall limit: %d, want 0", n)
	}
	now = now.Add(500 * time.Millisecond) // a +1, overall +1.5
	if n := count(a, 5); n != 1 {
		t.Errorf("a after 0.5 s: %d, want 1", n)
	}
	now = now.Add(10 * time.Second)
	// A fourth address in a limiter of three: the least recent (a) is forgotten.
	if n := count(netip.MustParseAddr("192.0.2.4"), 1); n != 1 {
		t.Errorf("fourth address: %d, want 1", n)
	}
	if len(l.byKey) != 3 || l.order.Len() != 3 {
		t.Errorf("limiter holds %d/%d addresses, want 3", len(l.byKey), l.order.Len())
	}
	if _, ok := l.byKey[b]; ok {
		t.Error("least recently used address kept")
	}
}
