package node

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"tincan/core/overlay"
	"tincan/core/relay"
	"tincan/core/stun"
)

// ampRow is one message type: the bytes that came in, and the bytes the
// node sent because of them toward an address the sender does not own
// (a forged UDP source, a third party named in a message), per such
// address. Owned is what went back to the sender's own address, for the
// record.
type ampRow struct {
	what           string
	in, out, owned int
	note           string
}

func (r ampRow) ratio() float64 {
	if r.in == 0 {
		return 0
	}
	return float64(r.out) / float64(r.in)
}

// TestAmplificationTable measures, for each message type a stranger or a
// peer can send, the bytes the node sends toward an address the sender
// does not own per byte received, prints the table, and checks every ratio
// is at most 1 (0 where nothing is sent). All traffic stays on loopback.
func TestAmplificationTable(t *testing.T) {
	var rows []ampRow
	rows = append(rows, stunRows(t)...)
	rows = append(rows, probeRows(t)...)
	rows = append(rows, relayRows(t)...)
	rows = append(rows, floodRow(t))

	var b strings.Builder
	fmt.Fprintf(&b, "\n%-44s %8s %8s %8s %7s  %s\n", "message (from the network)", "in B", "out B", "owned B", "ratio", "note")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-44s %8d %8d %8d %7.2f  %s\n", r.what, r.in, r.out, r.owned, r.ratio(), r.note)
	}
	t.Log(b.String())
	for _, r := range rows {
		if r.ratio() > 1 {
			t.Errorf("%s: %d bytes out toward an address the sender does not own for %d in (ratio %.2f), want at most 1",
				r.what, r.out, r.in, r.ratio())
		}
	}
}

// stunRows: a Binding request's source may be forged, so every answer
// counts as toward a non-owned address.
func stunRows(t *testing.T) []ampRow {
	srvConn := udpOn(t, netip.MustParseAddr("127.0.0.1"))
	alt := udpOn(t, netip.MustParseAddr("127.0.0.1"))
	srv := stun.NewServer(srvConn, stun.ServerOptions{Alt: alt})
	src := udpOn(t, netip.MustParseAddr("127.0.0.5")) // the "forged" source: whoever it names
	var rows []ampRow
	for _, tc := range []struct {
		what     string
		req      []byte
		want     int // answers expected
		wantNote string
	}{
		{"STUN Binding, 20 B (bare)", bindingRequest(0, 0), 0, "shorter than any answer: unanswered"},
		{"STUN Binding (tincan client)", bindingRequest(0, 20), 1, "answer to the packet's source"},
		{"STUN Binding + change port", bindingRequest(0x02, 20), 1, "answer from the second port"},
		{"STUN Binding + change IP", bindingRequest(0x04, 20), 1, "error 420; never passed to another node"},
	} {
		srv.HandlePacket(tc.req, stunAddr(src))
		n, bytes := datagramBytes(src, tc.want)
		if n != tc.want {
			t.Errorf("%s: %d answers, want %d", tc.what, n, tc.want)
		}
		rows = append(rows, ampRow{what: tc.what, in: len(tc.req), out: bytes, note: tc.wantNote})
	}
	return rows
}

// bindingRequest is a Binding request with CHANGE-REQUEST flags (none if
// 0) and a SOFTWARE attribute of sw bytes (none if 0), built by hand.
func bindingRequest(flags uint32, sw int) []byte {
	b := make([]byte, 20, 64)
	binary.BigEndian.PutUint16(b[0:], 0x0001)
	binary.BigEndian.PutUint32(b[4:], 0x2112A442)
	copy(b[8:20], "transaction1")
	if flags != 0 {
		b = binary.BigEndian.AppendUint16(b, 0x0003)
		b = binary.BigEndian.AppendUint16(b, 4)
		b = binary.BigEndian.AppendUint32(b, flags)
	}
	if sw > 0 {
		b = binary.BigEndian.AppendUint16(b, 0x8022)
		b = binary.BigEndian.AppendUint16(b, uint16(sw))
		b = append(b, strings.Repeat("x", (sw+3)/4*4)...)
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)-20))
	return b
}

// datagramBytes reads up to want datagrams from c (waiting 200 ms for
// more once none are wanted) and returns how many and their total size.
func datagramBytes(c *net.UDPConn, want int) (n, total int) {
	buf := make([]byte, 2048)
	d := 2 * time.Second
	if want == 0 {
		d = 200 * time.Millisecond
	}
	_ = c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	for n < max(want, 1) {
		k, _, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			break
		}
		n, total = n+1, total+k
	}
	return n, total
}

// probeRows: a PROBE_REQUEST comes over an authenticated link from a
// peer at 127.0.0.2; it names a third party, then the peer's own IP.
func probeRows(t *testing.T) []ampRow {
	conn := udpOn(t, netip.MustParseAddr("127.0.0.1"))
	p := &natPart{n: &Node{log: slog.New(slog.DiscardHandler)}, conn: conn, server: stun.NewServer(conn, stun.ServerOptions{})}
	third := udpOn(t, netip.MustParseAddr("127.0.0.5"))
	own := udpOn(t, netip.MustParseAddr("127.0.0.2"))
	from := overlay.Peer{GUID: overlay.GUID{7}, Addr: netip.MustParseAddrPort("127.0.0.2:7448")}

	thirdReq := &overlay.ProbeRequest{To: stunAddr(third), Transaction: [12]byte{1}}
	ownReq := &overlay.ProbeRequest{To: stunAddr(own), Transaction: [12]byte{2}}
	inThird, inOwn := encodedLen(t, thirdReq), encodedLen(t, ownReq)
	p.probe(from, thirdReq)
	p.probe(from, ownReq)
	nOwn, ownBytes := datagramBytes(own, 1)
	nThird, thirdBytes := datagramBytes(third, 0)
	if nThird != 0 || nOwn != 1 {
		t.Errorf("probe requests: %d packets to the third party (want 0), %d to the requester (want 1)", nThird, nOwn)
	}
	return []ampRow{
		{what: "PROBE_REQUEST naming a third party", in: inThird, out: thirdBytes, note: "refused: not the requester's IP"},
		{what: "PROBE_REQUEST naming the requester's IP", in: inOwn, owned: ownBytes, note: "one answer to the link's own IP"},
	}
}

// encodedLen is the size of m's overlay encoding: less than what crosses
// the wire (TLS and framing add more), so the ratio is an upper bound.
func encodedLen(t *testing.T, m overlay.Message) int {
	b, err := overlay.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

// relayRows: a relay writes only to connections that dialed it (their
// owners completed a TCP handshake); it dials no one.
func relayRows(t *testing.T) []ampRow {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := relay.NewServer(relay.Config{PairTimeout: 5 * time.Second})
	defer srv.Close()
	side := func() (net.Conn, *sync.WaitGroup) {
		c, s := net.Pipe()
		var wg sync.WaitGroup
		wg.Go(func() { srv.Handle(ctx, s) })
		t.Cleanup(func() { c.Close(); wg.Wait() })
		return c, &wg
	}
	req := append([]byte{'t', 'r', 1, 0}, make([]byte, 32)...)
	req[4] = 0x42 // the token
	a, _ := side()
	b, _ := side()
	// net.Pipe writes wait for their reader: each side writes its request
	// and reads its status in a goroutine of its own.
	var wg sync.WaitGroup
	got := make([][]byte, 2)
	for i, c := range []net.Conn{a, b} {
		wg.Go(func() {
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write(req); err != nil {
				t.Errorf("relay request: %v", err)
				return
			}
			status := make([]byte, 2)
			if _, err := io.ReadFull(c, status); err != nil || status[1] != 0 {
				t.Errorf("relay status: %v %v, want OK", status, err)
			}
			got[i] = status
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	payload := make([]byte, 4096)
	wg.Go(func() {
		if _, err := a.Write(payload); err != nil {
			t.Errorf("relay splice write: %v", err)
		}
	})
	n, err := io.ReadFull(b, make([]byte, len(payload)))
	wg.Wait()
	if err != nil {
		t.Errorf("relay splice: %d bytes, %v", n, err)
	}
	return []ampRow{
		{what: "relay request (36 B, per side)", in: len(req), owned: len(got[0]), note: "status to the dialer itself"},
		{what: "relay spliced bytes", in: len(payload), owned: n, note: "to the partner, who dialed in itself"},
	}
}

// floodRow: a flood from one link peer is forwarded once to each other
// link peer (peers the node linked with, not named by the sender), each
// copy the size of the original; a second copy is not forwarded.
func floodRow(t *testing.T) ampRow {
	rec := &sendRecorder{}
	r, err := overlay.NewRunner(overlay.Config{GUID: overlay.GUID{1}, Network: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	peers := 6
	for i := range peers {
		p := overlay.Peer{GUID: overlay.GUID{0x80, byte(i + 1)}, Addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, byte(i + 1), 1}), 7448)}
		r.HandleMessage(p, &overlay.Ping{ID: uint64(i)})
	}
	rec.reset()
	f := &overlay.Flood{Nonce: overlay.Nonce{9}, Time: time.Now().UnixMilli(), TTL: 4, Envelope: make([]byte, 200)}
	from := overlay.Peer{GUID: overlay.GUID{0x80, 1}, Addr: netip.MustParseAddrPort("127.0.1.1:7448")}
	r.HandleMessage(from, f)
	r.HandleMessage(from, f) // a replay: dropped
	in := encodedLen(t, f)
	perDest := map[overlay.GUID]int{}
	for _, s := range rec.take() {
		if s.to.GUID == from.GUID {
			t.Errorf("a flood was sent back to its sender")
		}
		perDest[s.to.GUID] += encodedLen(t, s.m)
	}
	worst := 0
	for _, n := range perDest {
		worst = max(worst, n)
	}
	if len(perDest) < 2 {
		t.Errorf("the flood was forwarded to %d peers, want several: the measurement measured little", len(perDest))
	}
	return ampRow{what: "FLOOD (per destination; a replay ignored)", in: in, out: worst,
		note: fmt.Sprintf("once to each of %d other link peers; the sender names none", len(perDest))}
}

type sent struct {
	to overlay.Peer
	m  overlay.Message
}

// sendRecorder is an overlay.Network that records what is sent.
type sendRecorder struct {
	mu   sync.Mutex
	sent []sent
}

func (s *sendRecorder) Send(to overlay.Peer, m overlay.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, sent{to, m})
}

func (s *sendRecorder) reset() { s.take() }

func (s *sendRecorder) take() []sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sent
	s.sent = nil
	return out
}
