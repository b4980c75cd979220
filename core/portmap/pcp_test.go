package portmap

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// pcpPeer is a UDP socket on loopback that answers each request it gets as
// its script says: the unreachable edge of a router that loses datagrams,
// sends stray answers or speaks only NAT-PMP, which the lab's miniupnpd
// never does.
type pcpPeer struct {
	addr netip.AddrPort
	mu   sync.Mutex
	reqs [][]byte
}

func newPCPPeer(t *testing.T, script func(n int, req []byte) [][]byte) *pcpPeer {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p := &pcpPeer{addr: c.LocalAddr().(*net.UDPAddr).AddrPort()}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for n := 0; ; n++ {
			k, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return // closed
			}
			req := bytes.Clone(buf[:k])
			p.mu.Lock()
			p.reqs = append(p.reqs, req)
			p.mu.Unlock()
			for _, a := range script(n, req) {
				_, _ = c.WriteToUDPAddrPort(a, from)
			}
		}
	}()
	t.Cleanup(func() { c.Close(); <-done })
	return p
}

func (p *pcpPeer) requests() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.reqs...)
}

// pcpReplyTo answers a MAP request as a PCP server that grants it.
func pcpReplyTo(req []byte, ext netip.AddrPort, lifetime uint32) []byte {
	a := pcpAnswer{Op: pcpOpMap, Lifetime: lifetime, Epoch: 100, HasMap: true,
		Nonce: pcpNonce(req[24:36]), Protocol: req[36], Internal: uint16(req[40])<<8 | uint16(req[41]),
		External: netip.AddrPortFrom(netip.AddrFrom16(ext.Addr().As16()), ext.Port())}
	if lifetime == 0 {
		a.External = netip.AddrPortFrom(a.External.Addr(), 0)
	}
	return pcpEncode(a)
}

func testPCPClient(t *testing.T, p *pcpPeer) *pcpClient {
	t.Helper()
	c := newPCP(p.addr.Addr(), 2*time.Second, map[string]pcpNonce{}, slog.New(slog.DiscardHandler))
	c.dst = p.addr
	if err := c.begin(t.Context()); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPCPExchange: a lost request is sent again, stray answers are passed
// over, renewals and the deletion carry the mapping's nonce and suggest its
// address, and the answer's address and lifetime come back.
func TestPCPExchange(t *testing.T) {
	ext := netip.MustParseAddrPort("198.51.100.10:7448")
	p := newPCPPeer(t, func(n int, req []byte) [][]byte {
		lifetime := uint32(req[4])<<24 | uint32(req[5])<<16 | uint32(req[6])<<8 | uint32(req[7])
		switch n {
		case 0:
			return nil // lost
		case 1:
			stray := bytes.Clone(req)
			stray[24] ^= 0xff // another nonce
			return [][]byte{pcpReplyTo(stray, ext, 60), {0x02, 0x81, 0, 0}, pcpReplyTo(req, ext, 120)}
		default:
			return [][]byte{pcpReplyTo(req, ext, min(lifetime, 120))}
		}
	})
	c := testPCPClient(t, p)
	start := time.Now()
	got, life, err := c.add(t.Context(), UDP, 7448, 7448, time.Hour)
	took := time.Since(start)
	if err != nil || got != ext || life != 120*time.Second {
		t.Fatalf("add = %v, %v, %v; want %v for 120s", got, life, err, ext)
	}
	if took < 200*time.Millisecond || took > time.Second {
		t.Errorf("add took %v; want one resend after about 250ms", took)
	}
	if _, _, err := c.add(t.Context(), UDP, 7448, ext.Port(), time.Hour); err != nil {
		t.Fatalf("renewal: %v", err)
	}
	if err := c.remove(t.Context(), UDP, 7448, ext.Port()); err != nil {
		t.Fatalf("remove: %v", err)
	}
	reqs := p.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4 (one lost, sent again, a renewal, a deletion)", len(reqs))
	}
	if !bytes.Equal(reqs[0], reqs[1]) {
		t.Errorf("the resent request differs:\n%x\n%x", reqs[0], reqs[1])
	}
	first := pcpMapRequest(c.nonces[UDP], pcpProtoUDP, netip.MustParseAddr("127.0.0.1"), 7448, netip.AddrPortFrom(netip.Addr{}, 7448), 3600)
	renew := pcpMapRequest(c.nonces[UDP], pcpProtoUDP, netip.MustParseAddr("127.0.0.1"), 7448, ext, 3600)
	del := pcpMapRequest(c.nonces[UDP], pcpProtoUDP, netip.MustParseAddr("127.0.0.1"), 7448, ext, 0)
	for i, want := range [][]byte{first, first, renew, del} {
		if !bytes.Equal(reqs[i], want) {
			t.Errorf("request %d\n%x, want\n%x", i, reqs[i], want)
		}
	}
	if c.nonces[UDP] == (pcpNonce{}) {
		t.Error("zero nonce")
	}
}

// TestPCPNATPMPOnly: a router that speaks only NAT-PMP answers version 0,
// and the PCP client gives up at once, so the Keeper goes on to NAT-PMP.
func TestPCPNATPMPOnly(t *testing.T) {
	p := newPCPPeer(t, func(int, []byte) [][]byte { return [][]byte{{0, 129, 0, 1, 0, 0, 0, 9}} })
	c := testPCPClient(t, p)
	start := time.Now()
	_, _, err := c.add(t.Context(), TCP, 7448, 7448, time.Hour)
	if !errors.Is(err, errNoPCP) {
		t.Fatalf("add err %v, want errNoPCP", err)
	}
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("giving up took %v; the answer came at once", took)
	}
	if n := len(p.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestPCPNotPublic: a mapping on an address that is not public (the router
// sits behind another NAT) is taken back at once.
func TestPCPNotPublic(t *testing.T) {
	p := newPCPPeer(t, func(_ int, req []byte) [][]byte {
		life := uint32(120)
		if req[7] == 0 && req[6] == 0 && req[5] == 0 && req[4] == 0 {
			life = 0
		}
		return [][]byte{pcpReplyTo(req, netip.MustParseAddrPort("100.64.7.1:7448"), life)}
	})
	c := testPCPClient(t, p)
	if _, _, err := c.add(t.Context(), TCP, 7448, 7448, time.Hour); !errors.Is(err, errNotPublic) {
		t.Fatalf("add err %v, want errNotPublic", err)
	}
	reqs := p.requests()
	if len(reqs) != 2 || reqs[1][4]|reqs[1][5]|reqs[1][6]|reqs[1][7] != 0 || !bytes.Equal(reqs[1][24:36], reqs[0][24:36]) {
		t.Errorf("requests %x; want the mapping and its deletion with the same nonce", reqs)
	}
}

// TestPCPTimeout: a silent gateway costs Options.Timeout and a few tries,
// and a cancelled context ends the wait at once.
func TestPCPTimeout(t *testing.T) {
	p := newPCPPeer(t, func(int, []byte) [][]byte { return nil })
	c := testPCPClient(t, p)
	c.timeout = time.Second
	start := time.Now()
	_, _, err := c.add(t.Context(), TCP, 7448, 7448, time.Hour)
	if took := time.Since(start); err == nil || took < 900*time.Millisecond || took > 1500*time.Millisecond {
		t.Errorf("add against silence: %v after %v; want a timeout after 1s", err, took)
	}
	if n := len(p.requests()); n != 3 {
		t.Errorf("%d tries in 1s, want 3 (at 0, 250 and 750ms, give or take 10%%)", n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	_, _, err = c.add(ctx, TCP, 7448, 7448, time.Hour)
	if took := time.Since(start); !errors.Is(err, context.Canceled) || took > 500*time.Millisecond {
		t.Errorf("add cancelled after 100ms: %v after %v", err, took)
	}
}
