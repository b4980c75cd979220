package impair

import (
	"errors"
	"math"
	"net/netip"
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestProxyAddsTheConfiguredDelayInOrder(t *testing.T) {
	for _, delay := range []time.Duration{0, 30 * time.Millisecond} {
		l := newLab(t, Config{ToTarget: Impairment{Delay: delay}})
		r := receive(t, l.b, l.base, nil)
		l.sendEvery(t, l.a, l.p.Addr(), 100, 3*time.Millisecond)
		waitFor(t, 5*time.Second, "100 datagrams have arrived", func() bool { return r.count() == 100 })
		as := r.arrivals()
		if !inOrder(as) {
			t.Errorf("with a delay of %v and no jitter, datagrams arrive out of order", delay)
		}
		first := percentile(as, 0)
		t.Logf("delay %v: one-way latency from %v, median %v, worst %v", delay, first, percentile(as, 50), percentile(as, 100))
		// Never early. A stall of this shared machine can make any number
		// of datagrams late, so only the fastest of 100, spread over 300 ms,
		// is held to the configured delay.
		if first < delay || first > delay+5*time.Millisecond {
			t.Errorf("with a delay of %v, the fastest of 100 datagrams took %v", delay, first)
		}
		if from := as[0].from; from != l.p.UpstreamAddr() {
			t.Errorf("Target receives from %v, not from the proxy's upstream address %v", from, l.p.UpstreamAddr())
		}
		waitFor(t, 5*time.Second, "the counters show 100 datagrams in and out", func() bool {
			return l.p.Stats(ToTarget) == Counters{In: 100, Out: 100}
		})
	}
}

func TestProxyAnswersGoBackToA(t *testing.T) {
	l := newLab(t, Config{
		ToTarget:   Impairment{Delay: 20 * time.Millisecond},
		FromTarget: Impairment{Delay: 30 * time.Millisecond},
	})
	// Target echoes each datagram to wherever it came from.
	receive(t, l.b, l.base, func(b []byte, from netip.AddrPort) { l.b.WriteToUDPAddrPort(b, from) })
	ra := receive(t, l.a, l.base, nil)
	l.sendEvery(t, l.a, l.p.Addr(), 40, 3*time.Millisecond)
	waitFor(t, 5*time.Second, "40 echoes have come back to A", func() bool { return ra.count() == 40 })
	as := ra.arrivals()
	if as[0].from != l.p.Addr() {
		t.Errorf("A receives answers from %v instead of the proxy's address %v", as[0].from, l.p.Addr())
	}
	first := percentile(as, 0)
	t.Logf("round trip through 20 ms + 30 ms: from %v, median %v", first, percentile(as, 50))
	if !inOrder(as) || first < 50*time.Millisecond || first > 55*time.Millisecond {
		t.Errorf("echoes through 20 ms + 30 ms of delay take from %v at the fastest, in order: %v", first, inOrder(as))
	}
	waitFor(t, 5*time.Second, "the way back counts 40 datagrams in and out", func() bool {
		return l.p.Stats(FromTarget) == Counters{In: 40, Out: 40}
	})
}

func TestProxyLosesTheConfiguredShare(t *testing.T) {
	const n = 10000
	for _, c := range []struct{ loss, tol float64 }{{0.05, 0.01}, {0.15, 0.015}} {
		l := newLab(t, Config{Seed: 5, ToTarget: Impairment{Loss: c.loss}})
		r := receive(t, l.b, l.base, nil)
		l.sendPaced(t, r, 0, n, 100)
		waitFor(t, 5*time.Second, "every datagram kept has arrived", func() bool {
			s := l.p.Stats(ToTarget)
			return s.Out+s.Dropped+s.Discarded == n && uint64(r.count()) == s.Out
		})
		s := l.p.Stats(ToTarget)
		rate, run := lostRuns(r.arrivals(), n)
		t.Logf("configured loss %.2f: %.4f of %d datagrams lost, mean run %.2f, counters %+v", c.loss, rate, n, run, s)
		if s.Discarded != 0 {
			t.Errorf("the proxy discarded %d datagrams for reasons other than loss", s.Discarded)
		}
		if math.Abs(rate-c.loss) > c.tol {
			t.Errorf("with %.2f loss configured, %.4f of %d datagrams were lost", c.loss, rate, n)
		}
	}
}

func TestProxyGilbertElliottLosesInBursts(t *testing.T) {
	const n = 10000
	l := newLab(t, Config{Seed: 6, ToTarget: Impairment{Burst: BurstLoss(0.10, 4)}})
	r := receive(t, l.b, l.base, nil)
	l.sendPaced(t, r, 0, n, 100)
	waitFor(t, 5*time.Second, "every datagram kept has arrived", func() bool {
		s := l.p.Stats(ToTarget)
		return s.Out+s.Dropped == n && uint64(r.count()) == s.Out
	})
	rate, run := lostRuns(r.arrivals(), n)
	t.Logf("burst loss 10%% with bursts of 4: %.4f lost, mean burst %.2f", rate, run)
	if math.Abs(rate-0.10) > 0.03 || math.Abs(run-4) > 0.8 {
		t.Errorf("burst loss of 10%% in bursts of 4 loses %.4f in bursts of %.2f", rate, run)
	}
}

func TestProxyJitterSpreadsArrivals(t *testing.T) {
	// A stall of this shared machine makes datagrams late, never early, so
	// the checks read the fast end of the latencies: the exact shapes are
	// checked on the model (TestModelJitterHasTheConfiguredShape).
	const delay, jitter = 60 * time.Millisecond, 10 * time.Millisecond
	cases := []struct {
		name           string
		dist           Distribution
		floor, fastest time.Duration // nothing before floor; the fastest before fastest
	}{
		// Uniform in [50, 70] ms: 10% of 400 datagrams take under 52 ms.
		{"uniform", Uniform, delay - jitter, delay - jitter + 4*time.Millisecond},
		// Normal, deviation 10 ms: the fastest of 400 is about 2.9
		// deviations down (31 ms); even the fastest of 100 is 2.5 down.
		{"normal", Normal, 0, delay - 2*jitter},
	}
	for _, c := range cases {
		l := newLab(t, Config{Seed: 7, ToTarget: Impairment{Delay: delay, Jitter: jitter, Dist: c.dist, Reorder: true}})
		r := receive(t, l.b, l.base, nil)
		l.sendEvery(t, l.a, l.p.Addr(), 400, 2*time.Millisecond)
		waitFor(t, 5*time.Second, "400 datagrams have arrived", func() bool { return r.count() == 400 })
		as := r.arrivals()
		first := percentile(as, 0)
		s := l.p.Stats(ToTarget)
		t.Logf("%s jitter of %v around %v: fastest %v, p10 %v, median %v, p90 %v; %d reordered",
			c.name, jitter, delay, first, percentile(as, 10), percentile(as, 50), percentile(as, 90), s.Reordered)
		if first < c.floor || first > c.fastest {
			t.Errorf("%s jitter of %v around %v delivers the fastest of 400 datagrams after %v, outside [%v, %v]",
				c.name, jitter, delay, first, c.floor, c.fastest)
		}
		if s.Reordered == 0 || inOrder(as) {
			t.Errorf("%s jitter of %v with reordering allowed reorders nothing among datagrams 2 ms apart", c.name, jitter)
		}
	}
}

func TestProxyJitterWithoutReorderKeepsOrder(t *testing.T) {
	l := newLab(t, Config{Seed: 8, ToTarget: Impairment{Delay: 40 * time.Millisecond, Jitter: 10 * time.Millisecond}})
	r := receive(t, l.b, l.base, nil)
	l.sendEvery(t, l.a, l.p.Addr(), 100, 5*time.Millisecond)
	waitFor(t, 5*time.Second, "100 datagrams have arrived", func() bool { return r.count() == 100 })
	as := r.arrivals()
	t.Logf("jitter without reordering: p10 %v, p90 %v", percentile(as, 10), percentile(as, 90))
	if !inOrder(as) || l.p.Stats(ToTarget).Reordered != 0 {
		t.Error("with reordering off, jittered datagrams arrive out of order")
	}
	if first := percentile(as, 0); first < 30*time.Millisecond || first > 34*time.Millisecond {
		t.Errorf("with reordering off, the fastest of 100 datagrams with 40±10 ms of delay took %v instead of 30 to 34 ms", first)
	}
}

func TestProxyIsReproducible(t *testing.T) {
	const n = 2000
	run := func() []int {
		l := newLab(t, Config{Seed: 9, ToTarget: Impairment{Loss: 0.1, Burst: BurstLoss(0.05, 3)}})
		r := receive(t, l.b, l.base, nil)
		l.sendPaced(t, r, 0, n, 100)
		waitFor(t, 5*time.Second, "every datagram kept has arrived", func() bool {
			s := l.p.Stats(ToTarget)
			return s.Out+s.Dropped == n && uint64(r.count()) == s.Out
		})
		var seqs []int
		for _, a := range r.arrivals() {
			seqs = append(seqs, a.seq)
		}
		return seqs
	}
	first, second := run(), run()
	if !slices.Equal(first, second) {
		t.Errorf("two runs with the same seed deliver different datagrams (%d and %d of %d)", len(first), len(second), n)
	}
}

func TestProxyLearnsAAndIgnoresStrangers(t *testing.T) {
	l := newLab(t, Config{})
	rb := receive(t, l.b, l.base, nil)
	ra := receive(t, l.a, l.base, nil)

	// Target speaks first: there is no A to send to yet.
	l.send(t, l.b, l.p.Addr(), 100)
	waitFor(t, 5*time.Second, "the proxy has discarded Target's early datagram", func() bool {
		return l.p.Stats(FromTarget).Discarded == 1
	})
	l.send(t, l.a, l.p.Addr(), 1)
	waitFor(t, 5*time.Second, "A's datagram has reached Target", func() bool { return rb.count() == 1 })

	// Target may answer to either of the proxy's addresses.
	l.send(t, l.b, l.p.UpstreamAddr(), 101)
	l.send(t, l.b, l.p.Addr(), 102)
	waitFor(t, 5*time.Second, "both answers have reached A", func() bool { return ra.count() == 2 })

	// A stranger writing to the upstream address is not Target.
	stranger := listenLoopback(t)
	l.send(t, stranger, l.p.UpstreamAddr(), 666)
	waitFor(t, 5*time.Second, "the proxy has discarded the stranger's datagram", func() bool {
		return l.p.Stats(FromTarget).Discarded == 2
	})

	// A moves to a new address: answers follow it.
	a2 := listenLoopback(t)
	ra2 := receive(t, a2, l.base, nil)
	l.send(t, a2, l.p.Addr(), 2)
	waitFor(t, 5*time.Second, "A's datagram from its new address has reached Target", func() bool { return rb.count() == 2 })
	l.send(t, l.b, l.p.UpstreamAddr(), 103)
	waitFor(t, 5*time.Second, "the answer has reached A's new address", func() bool { return ra2.count() == 1 })

	var seqs []int
	for _, a := range ra.arrivals() {
		seqs = append(seqs, a.seq)
		if a.from != l.p.Addr() {
			t.Errorf("A receives from %v instead of the proxy's address %v", a.from, l.p.Addr())
		}
	}
	slices.Sort(seqs) // the two answers came through different sockets
	if !slices.Equal(seqs, []int{101, 102}) {
		t.Errorf("A's first address receives datagrams %v instead of only Target's answers 101 and 102", seqs)
	}
	if got := ra2.arrivals()[0].seq; got != 103 {
		t.Errorf("A's new address receives datagram %d instead of Target's answer 103", got)
	}
}

func TestNewRefusesWhatIsNotLoopback(t *testing.T) {
	target := netip.MustParseAddrPort("127.0.0.1:9")
	for _, listen := range []string{"0.0.0.0:0", "192.0.2.1:0", "[::]:0"} {
		if _, err := New(Config{Listen: listen, Target: target}); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("New listening on %s returns %v instead of ErrNotLoopback", listen, err)
		}
	}
	if _, err := New(Config{Target: netip.MustParseAddrPort("192.0.2.1:9")}); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("New with a target off the machine returns %v instead of ErrNotLoopback", err)
	}
	for name, cfg := range map[string]Config{
		"a host name":        {Listen: "localhost:0", Target: target},
		"no target":          {},
		"a bad impairment":   {Target: target, FromTarget: Impairment{Loss: 2}},
		"a target port of 0": {Target: netip.MustParseAddrPort("127.0.0.1:0")},
		"itself as target":   {Listen: "127.0.0.1:47391", Target: netip.MustParseAddrPort("127.0.0.1:47391")},
	} {
		if p, err := New(cfg); err == nil {
			p.Close()
			t.Errorf("New accepts a config with %s", name)
		}
	}
}

func TestCloseIsPromptAndLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	a, b := listenLoopback(t), listenLoopback(t)
	p, err := New(Config{Target: addrOf(b), ToTarget: Impairment{Delay: 10 * time.Second}})
	if err != nil {
		t.Fatalf("start the proxy: %v", err)
	}
	for range 20 {
		if _, err := a.WriteToUDPAddrPort([]byte("wait"), p.Addr()); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	waitFor(t, 5*time.Second, "20 datagrams are waiting in the proxy", func() bool { return p.Stats(ToTarget).In == 20 })
	start := time.Now()
	if err := p.Close(); err != nil {
		t.Errorf("Close returns %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Close took %v with datagrams waiting 10 s", took)
	}
	if err := p.Close(); err != nil {
		t.Errorf("a second Close returns %v", err)
	}
	waitFor(t, 5*time.Second, "the proxy's goroutines have ended", func() bool { return runtime.NumGoroutine() <= before })
	if s := p.Stats(ToTarget); s.Out != 0 {
		t.Errorf("after Close, %d datagrams went out that were due in 10 s", s.Out)
	}
}
