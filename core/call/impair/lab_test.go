package impair

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting until %s", timeout, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// listenLoopback opens a UDP socket on 127.0.0.1 that the test closes.
func listenLoopback(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("open a loopback UDP socket: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// addrOf is the socket's local address.
func addrOf(c *net.UDPConn) netip.AddrPort {
	return unmap(c.LocalAddr().(*net.UDPAddr).AddrPort())
}

// lab is a proxy between two test sockets: a plays peer A, b plays Target.
type lab struct {
	p    *Proxy
	a, b *net.UDPConn
	base time.Time // send times in payloads count from here
}

// newLab starts a proxy with cfg (its Target set to b) that the test closes.
func newLab(t testing.TB, cfg Config) *lab {
	t.Helper()
	l := &lab{a: listenLoopback(t), b: listenLoopback(t), base: time.Now()}
	cfg.Target = addrOf(l.b)
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("start the proxy: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	l.p = p
	return l
}

// payload is a datagram carrying its sequence number and send time.
func (l *lab) payload(seq int) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint32(b, uint32(seq))
	binary.BigEndian.PutUint64(b[4:], uint64(time.Since(l.base)))
	return b
}

// send writes datagram seq from c to the proxy's address to.
func (l *lab) send(t testing.TB, c *net.UDPConn, to netip.AddrPort, seq int) {
	t.Helper()
	if _, err := c.WriteToUDPAddrPort(l.payload(seq), to); err != nil {
		t.Fatalf("send datagram %d: %v", seq, err)
	}
}

// sendPaced sends datagrams [from, to) from A to Target in batches, and
// after each batch waits until the proxy has read it and r has received
// everything the proxy sent, so that no socket buffer overflows and every
// loss measured is the proxy's own.
func (l *lab) sendPaced(t testing.TB, r *receiver, from, to, batch int) {
	t.Helper()
	start := l.p.Stats(ToTarget).In
	for seq := from; seq < to; seq++ {
		l.send(t, l.a, l.p.Addr(), seq)
		if sent := uint64(seq - from + 1); sent%uint64(batch) == 0 || seq == to-1 {
			waitFor(t, 5*time.Second, "the proxy and the receiver have caught up", func() bool {
				s := l.p.Stats(ToTarget)
				return s.In-start == sent && s.Out+s.Dropped+s.Discarded == s.In && uint64(r.count()) == s.Out
			})
		}
	}
}

// sendEvery sends datagrams [0, n) from c to `to`, one per interval.
// Spreading them out keeps a stall of this shared machine from delaying
// them all, so the percentiles the tests read stay the proxy's.
func (l *lab) sendEvery(t testing.TB, c *net.UDPConn, to netip.AddrPort, n int, interval time.Duration) {
	t.Helper()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for seq := range n {
		<-tick.C
		l.send(t, c, to, seq)
	}
}

// arrival is one datagram a receiver got.
type arrival struct {
	seq     int
	latency time.Duration
	from    netip.AddrPort
}

// receiver collects the datagrams arriving on a socket until the test ends.
type receiver struct {
	mu  sync.Mutex
	got []arrival
}

// receive starts collecting on c, with send times counted from base; echo,
// if set, is called with each datagram and where it came from.
func receive(t testing.TB, c *net.UDPConn, base time.Time, echo func(b []byte, from netip.AddrPort)) *receiver {
	r := &receiver{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			if n < 12 {
				continue
			}
			lat := time.Since(base) - time.Duration(binary.BigEndian.Uint64(buf[4:]))
			r.mu.Lock()
			r.got = append(r.got, arrival{int(binary.BigEndian.Uint32(buf)), lat, unmap(from)})
			r.mu.Unlock()
			if echo != nil {
				echo(buf[:n], unmap(from))
			}
		}
	}()
	t.Cleanup(func() {
		c.Close()
		<-done
	})
	return r
}

// count is the number of datagrams received so far.
func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// arrivals is a copy of what has arrived so far, in arrival order.
func (r *receiver) arrivals() []arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// percentile is the p-th percentile (0 to 100) of the arrivals' latencies.
func percentile(as []arrival, p float64) time.Duration {
	ls := make([]time.Duration, len(as))
	for i, a := range as {
		ls[i] = a.latency
	}
	slices.Sort(ls)
	return ls[min(len(ls)-1, int(p/100*float64(len(ls))))]
}

// inOrder reports whether the arrivals' sequence numbers only increase.
func inOrder(as []arrival) bool {
	for i := 1; i < len(as); i++ {
		if as[i].seq <= as[i-1].seq {
			return false
		}
	}
	return true
}

// lostRuns returns the datagrams of [0, n) that never arrived as a loss
// rate and the mean length of their runs.
func lostRuns(as []arrival, n int) (rate, meanRun float64) {
	lost := make([]bool, n)
	for i := range lost {
		lost[i] = true
	}
	for _, a := range as {
		lost[a.seq] = false
	}
	return bursts(lost)
}
