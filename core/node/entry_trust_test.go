package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"tincan/core/discovery"
	"tincan/core/discovery/cftest"
	"tincan/core/link"
)

var (
	loopback      = netip.MustParseAddr("127.0.0.1")
	allowLoopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
)

const (
	trustToken = "test-token-0123456789abcdef0123456789abcdef"
	trustZone  = "tincan.example"
	trustName  = "entry.tincan.example"
)

// freePort returns a TCP port free on host just now.
func freePort(t *testing.T, host string) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

// waitChecks waits until n's elector has run at least k more checks.
func waitChecks(t *testing.T, n *Node, k uint64) {
	t.Helper()
	var start uint64
	waitUntil(t, "the elector starts", func() bool { return n.ov.elector != nil })
	start = n.ov.elector.State().Checks
	waitUntil(t, "the elector runs its checks", func() bool { return n.ov.elector.State().Checks >= start+k })
}

// entryNode opens a node that may publish itself under trustName on cf.
func entryNode(t *testing.T, cf *cftest.Server, listen string, port uint16, allow []netip.Prefix) *Node {
	t.Helper()
	t.Setenv(discovery.TokenEnv, trustToken)
	return openWith(t, "Entry", listen, OverlayOptions{EntryName: trustName, EntryPort: port, NoLAN: true,
		Entry: EntryOptions{Zone: trustZone, APIBase: cf.URL(), Interval: 200 * time.Millisecond, Allow: allow}})
}

// stubInterfaces makes the node see only these interface addresses.
func stubInterfaces(t *testing.T, addrs ...string) {
	saved := interfaceAddrs
	t.Cleanup(func() { interfaceAddrs = saved })
	interfaceAddrs = func() ([]net.Addr, error) {
		var out []net.Addr
		for _, a := range addrs {
			p := netip.MustParsePrefix(a)
			out = append(out, &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())})
		}
		return out, nil
	}
}

// claimingPeer is a tincan-speaking peer that dials to from the source
// address from and says, in its link hello, that our address is claim.
// It keeps the link open until the test ends.
func claimingPeer(t *testing.T, from netip.Addr, to, claim netip.AddrPort) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from.AsSlice()}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", to.String())
	if err != nil {
		t.Fatalf("peer at %v dials %v: %v", from, to, err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte{link.Prefix}); err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(c, &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true, Certificates: []tls.Certificate{nodeCert(t)}})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("peer at %v: handshake: %v", from, err)
	}
	// version 1, body 21: listen port 0, the claimed address, flags 0.
	hello := []byte{1, 21, 0, 0}
	ip := claim.Addr().As16()
	hello = append(hello, ip[:]...)
	hello = binary.BigEndian.AppendUint16(hello, claim.Port())
	hello = append(hello, 0)
	if _, err := tc.Write(hello); err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 2)
	if _, err := io.ReadFull(tc, head); err != nil {
		t.Fatalf("peer at %v: the node's hello: %v", from, err)
	}
	if _, err := io.ReadFull(tc, make([]byte, head[1])); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tc.Close() })
}

// nodeCert is a fresh self-signed Ed25519 certificate, as a node's.
func nodeCert(t *testing.T) tls.Certificate {
	t.Helper()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func recordAddrs(cf *cftest.Server) []string {
	var out []string
	for _, r := range cf.Records(trustName) {
		out = append(out, r.Content)
	}
	return out
}

// One peer's word, however often repeated, and any number of peers in one
// network, never get an address published; inbound links from two
// networks that agree do.
func TestEntryPublishesOnlyAnAddressTwoNetworksConfirm(t *testing.T) {
	cf := cftest.NewServer(trustToken, trustZone)
	defer cf.Close()
	stubInterfaces(t, "10.9.9.9/8") // no address of our own to publish
	port := freePort(t, "0.0.0.0")
	entry := entryNode(t, cf, netip.AddrPortFrom(netip.IPv4Unspecified(), port).String(), port, allowLoopback)
	to := netip.AddrPortFrom(loopback, port)

	lie := netip.AddrPortFrom(netip.MustParseAddr("127.66.0.1"), port)
	claimingPeer(t, netip.MustParseAddr("127.0.0.2"), to, lie)
	claimingPeer(t, netip.MustParseAddr("127.0.0.3"), to, lie) // same /24 inside the allowed prefix: one network
	waitChecks(t, entry, 4)
	if rs := recordAddrs(cf); len(rs) != 0 {
		t.Fatalf("one network's claim got published: %v", rs)
	}
	if role := entry.ov.entryRole(); role != "none" {
		t.Fatalf("with only one network's word, the node's role is %q, want none", role)
	}

	// Two other networks reached us at 127.0.0.1 and say so.
	honest := netip.AddrPortFrom(loopback, port)
	claimingPeer(t, netip.MustParseAddr("127.1.0.1"), to, honest)
	claimingPeer(t, netip.MustParseAddr("127.2.0.1"), to, honest)
	waitUntil(t, "the confirmed address is published", func() bool {
		rs := recordAddrs(cf)
		return len(rs) == 1 && rs[0] == "127.0.0.1"
	})
}

// A node that only LAN peers (or loopback ones) reached, on a private or
// loopback address, publishes nothing: not its own address, not theirs.
func TestEntryPublishesNoPrivateAddressAndTrustsNoLANPeer(t *testing.T) {
	cf := cftest.NewServer(trustToken, trustZone)
	defer cf.Close()
	port := freePort(t, "127.0.0.1")
	entry := entryNode(t, cf, netip.AddrPortFrom(loopback, port).String(), port, nil)
	openWith(t, "LANPeer", "127.0.0.1:0", OverlayOptions{Bootstrap: []string{entry.ListenAddr()}, NoLAN: true})
	waitUntil(t, "the LAN peer links to the entry node", func() bool {
		for _, l := range entry.ov.net.Links() {
			if l.Inbound {
				return true
			}
		}
		return false
	})
	claimingPeer(t, netip.MustParseAddr("127.1.0.1"), netip.AddrPortFrom(loopback, port), netip.AddrPortFrom(netip.MustParseAddr("8.8.8.8"), port))
	claimingPeer(t, netip.MustParseAddr("127.2.0.1"), netip.AddrPortFrom(loopback, port), netip.AddrPortFrom(netip.MustParseAddr("8.8.8.8"), port))
	waitChecks(t, entry, 4)
	if rs := recordAddrs(cf); len(rs) != 0 {
		t.Fatalf("published %v from a loopback address and loopback peers' word", rs)
	}
	if entry.ov.reachable() {
		t.Fatal("inbound links from loopback peers counted as a dial-back from the internet")
	}
}

// The entry check speaks the link handshake: a squatter (a tincan node with
// another key) on a dead entry's address, an HTTP server and a bare TCP
// listener are all down, and their records go; the live entry stays.
func TestEntryProbeTellsSquattersAndNonNodesFromEntries(t *testing.T) {
	cf := cftest.NewServer(trustToken, trustZone)
	defer cf.Close()
	port := freePort(t, "127.0.0.1")
	for _, h := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"} {
		if p := freePort(t, h); p == 0 {
			t.Fatal("no port")
		}
	}
	// The squatter: a tincan node at the dead entry's address, another key.
	squatter := openWith(t, "Squatter", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), port).String(), OverlayOptions{NoLAN: true})
	dead := openWith(t, "Dead", "127.0.0.1:0", OverlayOptions{NoLAN: true}) // only its key is used
	cf.AddRecordWithComment("A", trustName, "127.0.0.2", "tincan entry point key="+dead.ov.guid().String())
	// An HTTP server and a bare listener on the entry port.
	web, err := net.Listen("tcp", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.3"), port).String())
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: time.Second}
	go srv.Serve(web)
	defer srv.Close()
	bare, err := net.Listen("tcp", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.4"), port).String())
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	go func() {
		for {
			c, err := bare.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	cf.AddRecord("A", trustName, "127.0.0.3")
	cf.AddRecord("A", trustName, "127.0.0.4")
	// A live entry whose record names its key, and one from before keys (none).
	live := openWith(t, "Live", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.5"), port).String(), OverlayOptions{NoLAN: true})
	cf.AddRecordWithComment("A", trustName, "127.0.0.5", "tincan entry point key="+live.ov.guid().String())
	legacy := openWith(t, "Legacy", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.6"), port).String(), OverlayOptions{NoLAN: true})
	cf.AddRecord("A", trustName, "127.0.0.6")
	_ = legacy

	entry := entryNode(t, cf, netip.AddrPortFrom(loopback, port).String(), port, allowLoopback)
	openWith(t, "Helper", "127.0.0.1:0", OverlayOptions{Bootstrap: []string{entry.ListenAddr()}, NoLAN: true})
	waitUntil(t, "the squatter, the web server and the bare listener are removed, the live entries kept", func() bool {
		got := map[string]bool{}
		for _, a := range recordAddrs(cf) {
			got[a] = true
		}
		return !got["127.0.0.2"] && !got["127.0.0.3"] && !got["127.0.0.4"] && got["127.0.0.5"] && got["127.0.0.6"] && got["127.0.0.1"]
	})
	_ = squatter
	for _, e := range entry.ov.elector.State().Entries {
		if e.Addr.Addr() == netip.MustParseAddr("127.0.0.5") && !e.Alive {
			t.Fatalf("the live entry with its own key is not alive: %+v", e)
		}
	}
	_ = context.Background
}
