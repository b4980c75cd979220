package overlay

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

// stillClock is a clock that never moves and never fires.
type stillClock struct{ now time.Time }

func (c stillClock) Now() time.Time                        { return c.now }
func (c stillClock) AfterFunc(time.Duration, func()) Timer { return stopped{} }

type stopped struct{}

func (stopped) Stop() bool { return false }

// recorder is a Network that keeps what is sent.
type recorder struct{ sent []sentMsg }

type sentMsg struct {
	to Peer
	m  Message
}

func (r *recorder) Send(to Peer, m Message) { r.sent = append(r.sent, sentMsg{to, m}) }

func TestObservedAddressesBecomeCandidates(t *testing.T) {
	own := netip.MustParseAddrPort("10.0.0.2:7700")
	ext := netip.MustParseAddrPort("198.51.100.9:40000")
	net := &recorder{}
	n, err := NewNode(Config{GUID: GUID{1}, Addrs: []netip.AddrPort{own}, Network: net, Clock: stillClock{t0}})
	if err != nil {
		t.Fatal(err)
	}
	a := Peer{GUID: GUID{2}, Addr: netip.MustParseAddrPort("192.0.2.1:7700")}
	b := Peer{GUID: GUID{3}, Addr: netip.MustParseAddrPort("192.0.2.2:7700")}

	// A ping is answered with the address the pinger was seen at.
	n.HandleMessage(a, &Ping{ID: 7})
	if len(net.sent) != 1 {
		t.Fatalf("sent %d messages", len(net.sent))
	}
	if pong, ok := net.sent[0].m.(*Pong); !ok || pong.ID != 7 || pong.Observed != a.Addr || net.sent[0].to != a {
		t.Fatalf("answer to ping: %+v to %v", net.sent[0].m, net.sent[0].to)
	}

	// One report is not enough; two peers agreeing are.
	n.HandleMessage(a, &Observed{Addr: ext})
	if slices.Contains(n.Candidates(), ext) {
		t.Fatal("one peer's report made a candidate")
	}
	n.HandleMessage(b, &Observed{Addr: ext})
	if got := n.Candidates(); !slices.Equal(got, []netip.AddrPort{own, ext}) {
		t.Fatalf("candidates %v", got)
	}
	// Both reporters are now in the table, learned over their links.
	if n.Table().Len() != 2 {
		t.Fatalf("table holds %d", n.Table().Len())
	}
}
