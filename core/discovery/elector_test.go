package discovery

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tincan/core/clock/clocktest"
	"tincan/core/discovery/cftest"
)

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// (a) An empty set: a reachable node with credentials publishes itself.
func TestElectorEmptySetPublishesSelf(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 1)
	clock := clocktest.New(t0)
	e := newTestElector(t, srv, n, clock, host(1))
	if s := e.State(); s.Role != RoleNone || s.Checks != 0 {
		t.Fatalf("state before any check: %+v", s)
	}
	checkOK(t, e)
	if got := addrsOf(srv); !slices.Equal(got, []netip.Addr{host(1)}) {
		t.Fatalf("records = %v, want [%v]", got, host(1))
	}
	s := e.State()
	if s.Role != RoleEntry || len(s.Entries) != 1 || !s.Entries[0].Self || !s.Entries[0].Alive ||
		s.Entries[0].Addr != netip.AddrPortFrom(host(1), n.port) || !s.LastCheck.Equal(t0) || !s.LastCheckOK {
		t.Fatalf("state = %+v", s)
	}
	// A second check changes nothing.
	writes := srv.Stats().Writes
	checkOK(t, e)
	if srv.Stats().Writes != writes || len(addrsOf(srv)) != 1 {
		t.Fatal("a settled set was written again")
	}
}

// (b) An entry point stops answering: after the failure threshold its record
// goes and the checking node takes its place.
func TestElectorReplacesDeadEntry(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 2)
	clock := clocktest.New(t0)
	dead := srv.AddRecord("A", testEntry, host(1).String())
	e := newTestElector(t, srv, n, clock, host(2), func(c *ElectorConfig) { c.MaxEntries = 1 })

	checkOK(t, e) // host(1) answers and fills the cap
	if got := addrsOf(srv); !slices.Equal(got, []netip.Addr{host(1)}) {
		t.Fatalf("records = %v", got)
	}
	if s := e.State(); s.Role != RoleCandidate || !s.Entries[0].Alive {
		t.Fatalf("state = %+v", s)
	}

	n.down(host(1))
	checkOK(t, e) // one failure: a blip, not yet removed
	if got := addrsOf(srv); !slices.Equal(got, []netip.Addr{host(1)}) {
		t.Fatalf("after one failure: records = %v", got)
	}
	if s := e.State(); s.Entries[0].Failures != 1 || s.Entries[0].Alive {
		t.Fatalf("after one failure: state = %+v", s)
	}

	checkOK(t, e) // second failure: removed, and replaced by this node
	if got := addrsOf(srv); !slices.Equal(got, []netip.Addr{host(2)}) {
		t.Fatalf("after the threshold: records = %v, want [%v]", got, host(2))
	}
	if slices.ContainsFunc(srv.Records(testEntry), func(r cftest.Record) bool { return r.ID == dead.ID }) {
		t.Fatal("dead record still there")
	}
	if s := e.State(); s.Role != RoleEntry || len(s.Entries) != 1 || !s.Entries[0].Self {
		t.Fatalf("state = %+v", s)
	}
}

// A blip shorter than the threshold does not remove an entry.
func TestElectorRidesOutBlip(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 2)
	srv.AddRecord("A", testEntry, host(1).String())
	e := newTestElector(t, srv, n, clocktest.New(t0), host(2), func(c *ElectorConfig) { c.MaxEntries = 1 })
	for range 3 {
		n.down(host(1))
		checkOK(t, e)
		n.up(host(1))
		checkOK(t, e)
	}
	if got := addrsOf(srv); !slices.Equal(got, []netip.Addr{host(1)}) {
		t.Fatalf("records = %v, want the blipping entry kept", got)
	}
	if srv.Stats().Writes != 0 {
		t.Fatalf("%d writes for a blipping entry", srv.Stats().Writes)
	}
}

// An entry that fails its probes but answers the re-probe just before
// removal is kept.
func TestElectorReprobesBeforeRemoval(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 2)
	srv.AddRecord("A", testEntry, host(1).String())
	var probes atomic.Int32
	prober := ProberFunc(func(ctx context.Context, addr netip.AddrPort, key string) error {
		// Every first probe of a check fails; the re-probe succeeds.
		if probes.Add(1)%2 == 1 {
			return errTest
		}
		return tcpProber{}.Probe(ctx, addr, key)
	})
	e := newTestElector(t, srv, n, clocktest.New(t0), host(2), func(c *ElectorConfig) {
		c.MaxEntries = 1
		c.FailThreshold = 1
		c.Prober = prober
	})
	for range 3 {
		checkOK(t, e)
	}
	if got := addrsOf(srv); !slices.Equal(got, []netip.Addr{host(1)}) {
		t.Fatalf("records = %v, want the re-probed entry kept", got)
	}
	if probes.Load() != 6 {
		t.Fatalf("%d probes, want 6 (probe and re-probe in each of 3 checks)", probes.Load())
	}
}

// (c) Two electors acting at the same tick on an empty or dead set end with
// a non-empty set, no duplicates, within the cap.
func TestElectorConcurrentTick(t *testing.T) {
	collisions := 0 // runs where both nodes wrote and had to settle
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		limit := 1 + rng.IntN(2)
		sameAddr := rng.IntN(3) == 0
		deadSet := rng.IntN(2) == 0
		srv := newFake(t)
		srv.AllowIdentical(sameAddr) // let same-address duplicates through, to exercise their removal
		n := newEntryNet(t, 3)
		clock := clocktest.New(t0)
		if deadSet {
			srv.AddRecord("A", testEntry, host(3).String())
			n.down(host(3))
		}
		selfB := host(2)
		if sameAddr {
			selfB = host(1)
		}
		opts := func(c *ElectorConfig) {
			c.MaxEntries = limit
			c.FailThreshold = 1
			c.Rand = rand.New(rand.NewPCG(seed, uint64(rng.IntN(1000))))
		}
		a := newTestElector(t, srv, n, clock, host(1), opts)
		b := newTestElector(t, srv, n, clock, selfB, opts)
		stop := runAll(t, a, b)
		waitTimers(t, clock, 2)
		settled := 0
		for round := range 3 {
			advanceToLast(clock) // fires both timers at once, and no timer they arm
			waitTimers(t, clock, 2)
			if round == 0 {
				settled = srv.Stats().Writes
			}
			recs := srv.Records(testEntry)
			addrs := addrsOf(srv)
			sorted := slices.Clone(addrs)
			slices.SortFunc(sorted, netip.Addr.Compare)
			switch {
			case len(recs) == 0:
				t.Fatalf("seed %d round %d: empty set", seed, round)
			case len(recs) > limit:
				t.Fatalf("seed %d round %d: %d records above the cap %d: %v", seed, round, len(recs), limit, addrs)
			case len(slices.Compact(sorted)) != len(addrs):
				t.Fatalf("seed %d round %d: duplicates: %v", seed, round, addrs)
			case slices.Contains(addrs, host(3)):
				t.Fatalf("seed %d round %d: dead entry kept: %v", seed, round, addrs)
			}
		}
		stop()
		if w := srv.Stats().Writes; w != settled {
			t.Fatalf("seed %d: %d writes after the first round (%d then %d)", seed, w-settled, settled, w)
		}
		minimal := 1 // one create, plus one delete of the dead record
		if deadSet {
			minimal = 2
		}
		if settled > minimal {
			collisions++
		}
		for _, e := range []*Elector{a, b} {
			if s := e.State(); s.LastError != "" || s.Checks != 3 {
				t.Fatalf("seed %d: state %+v", seed, s)
			}
		}
	}
	if collisions == 0 {
		t.Fatal("the two nodes never collided: the test does not exercise concurrent writes")
	}
	t.Logf("%d of 40 runs had colliding writes", collisions)
}

// (d) Six candidates: the set fills to the cap of four and then stays put.
func TestElectorCapWithSixCandidates(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 6)
	clock := clocktest.New(t0)
	var es []*Elector
	for i := 1; i <= 6; i++ {
		es = append(es, newTestElector(t, srv, n, clock, host(i), func(c *ElectorConfig) {
			c.Rand = rand.New(rand.NewPCG(uint64(i), 1))
		}))
	}
	runAll(t, es...)
	waitTimers(t, clock, 6)
	var settled int
	for round := range 6 {
		advanceToLast(clock)
		waitTimers(t, clock, 6)
		addrs := addrsOf(srv)
		if len(addrs) == 0 || len(addrs) > 4 {
			t.Fatalf("round %d: %d records: %v", round, len(addrs), addrs)
		}
		if round == 2 {
			settled = srv.Stats().Writes
		}
	}
	addrs := addrsOf(srv)
	if len(addrs) != 4 {
		t.Fatalf("records = %v, want 4", addrs)
	}
	if w := srv.Stats().Writes; w != settled {
		t.Fatalf("writes went on after the set settled: %d then %d", settled, w)
	}
	entries, candidates := 0, 0
	for _, e := range es {
		switch e.State().Role {
		case RoleEntry:
			entries++
		case RoleCandidate:
			candidates++
		}
	}
	if entries != 4 || candidates != 2 {
		t.Fatalf("%d entries and %d candidates, want 4 and 2", entries, candidates)
	}
}

// Records above the cap (e.g. added by hand) are trimmed to the oldest.
func TestElectorTrimsToOldest(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 7)
	for i := 1; i <= 6; i++ {
		srv.AddRecord("A", testEntry, host(i).String())
	}
	e := newTestElector(t, srv, n, clocktest.New(t0), host(7))
	checkOK(t, e)
	want := []netip.Addr{host(1), host(2), host(3), host(4)}
	if got := addrsOf(srv); !slices.Equal(got, want) {
		t.Fatalf("records = %v, want %v", got, want)
	}
	if e.State().Role != RoleCandidate {
		t.Fatalf("role %s", e.State().Role)
	}
}

// Trimming waits while any of the records it would keep is failing.
func TestElectorNoTrimWhileKeepersFail(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 7)
	for i := 1; i <= 6; i++ {
		srv.AddRecord("A", testEntry, host(i).String())
	}
	n.down(host(2))
	e := newTestElector(t, srv, n, clocktest.New(t0), host(7), func(c *ElectorConfig) { c.FailThreshold = 3 })
	checkOK(t, e)
	if got := len(addrsOf(srv)); got != 6 {
		t.Fatalf("%d records; nothing should be trimmed while a kept entry fails", got)
	}
	checkOK(t, e)
	checkOK(t, e) // third failure: host(2) goes, and then the oldest four are all live
	want := []netip.Addr{host(1), host(3), host(4), host(5)}
	if got := addrsOf(srv); !slices.Equal(got, want) {
		t.Fatalf("records = %v, want %v", got, want)
	}
}

// Duplicates of one address: the smallest record ID stays.
func TestElectorRemovesDuplicates(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 2)
	var ids []string
	for range 3 {
		ids = append(ids, srv.AddRecord("A", testEntry, host(1).String()).ID)
	}
	e := newTestElector(t, srv, n, clocktest.New(t0), host(2), func(c *ElectorConfig) { c.MaxEntries = 1 })
	checkOK(t, e)
	recs := srv.Records(testEntry)
	if len(recs) != 1 || recs[0].ID != slices.Min(ids) {
		t.Fatalf("records = %+v, want only %s", recs, slices.Min(ids))
	}
}

// (e) A node that is not reachable, has no credentials or no known address never writes.
func TestElectorNeverWritesWithoutReachOrCredentials(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 3)
	srv.AddRecord("A", testEntry, host(3).String())
	n.down(host(3))
	var reachable atomic.Bool
	unreachable := newTestElector(t, srv, n, clocktest.New(t0), host(1), func(c *ElectorConfig) {
		c.FailThreshold = 1
		c.Reachable = reachable.Load
	})
	noAddr := newTestElector(t, srv, n, clocktest.New(t0), netip.Addr{}, func(c *ElectorConfig) { c.FailThreshold = 1 })
	noCreds := newTestElector(t, srv, n, clocktest.New(t0), host(2), func(c *ElectorConfig) { c.Provider = nil })
	for range 3 {
		for _, e := range []*Elector{unreachable, noAddr, noCreds} {
			checkOK(t, e)
		}
	}
	if w := srv.Stats().Writes; w != 0 {
		t.Fatalf("%d writes", w)
	}
	for _, e := range []*Elector{unreachable, noAddr, noCreds} {
		if s := e.State(); s.Role != RoleNone {
			t.Fatalf("role %s, want none", s.Role)
		}
	}
	// The unreachable node still reports the dead entry it sees.
	if s := unreachable.State(); len(s.Entries) != 1 || s.Entries[0].Alive || s.Entries[0].Failures != 3 {
		t.Fatalf("state = %+v", s)
	}
	// Once reachable, it acts.
	reachable.Store(true)
	checkOK(t, unreachable)
	if got := addrsOf(srv); !slices.Equal(got, []netip.Addr{host(1)}) {
		t.Fatalf("records = %v", got)
	}
}

// (f) API errors do not empty the set and are reported in the state.
func TestElectorAPIErrors(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 3)
	srv.AddRecord("A", testEntry, host(3).String())
	n.down(host(3))
	e := newTestElector(t, srv, n, clocktest.New(t0), host(1), func(c *ElectorConfig) {
		c.FailThreshold = 1
		c.MaxEntries = 1
	})

	// Listing fails: nothing happens, the error shows.
	srv.FailNext(1, http.StatusInternalServerError)
	err := e.Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "list entry records") {
		t.Fatalf("check during a list failure: %v", err)
	}
	s := e.State()
	if s.LastCheckOK || !strings.Contains(s.LastError, "500") || !s.LastErrorAt.Equal(t0) {
		t.Fatalf("state = %+v", s)
	}

	// Writes fail: the dead record is the only one and stays, since this
	// node could not publish itself.
	srv.FailWrites(10, http.StatusInternalServerError)
	if err := e.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "publish") {
		t.Fatalf("check during write failures: %v", err)
	}
	if got := addrsOf(srv); !slices.Equal(got, []netip.Addr{host(3)}) {
		t.Fatalf("records = %v, want the dead one kept while nothing replaces it", got)
	}
	if s := e.State(); s.Role != RoleCandidate || len(s.Entries) != 1 || s.LastCheckOK {
		t.Fatalf("state = %+v", s)
	}

	// The API recovers: the node takes over and the error stays on record.
	srv.FailWrites(0, 0)
	checkOK(t, e)
	if got := addrsOf(srv); !slices.Equal(got, []netip.Addr{host(1)}) {
		t.Fatalf("records = %v", got)
	}
	if s := e.State(); !s.LastCheckOK || s.LastError == "" || s.Role != RoleEntry {
		t.Fatalf("state = %+v", s)
	}
}

// A live entry is never removed because of API failures, and an auth error says so.
func TestElectorAuthError(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 1)
	e := newTestElector(t, srv, n, clocktest.New(t0), host(1), func(c *ElectorConfig) {
		c.Provider = newProvider(t, srv, "not-the-token")
	})
	err := e.Check(context.Background())
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("check with a wrong token: %v", err)
	}
	if s := e.State(); !strings.Contains(s.LastError, "refused the API token") {
		t.Fatalf("state = %+v", s)
	}
}

// (g) Checks come at the interval, with jitter within bounds.
func TestElectorJitter(t *testing.T) {
	srv := newFake(t)
	n := newEntryNet(t, 1)
	clock := clocktest.New(t0)
	const interval = time.Minute
	const jitter = 0.25
	e := newTestElector(t, srv, n, clock, host(1), func(c *ElectorConfig) {
		c.Interval = interval
		c.Jitter = jitter
		c.Rand = rand.New(rand.NewPCG(1, 2))
	})
	runAll(t, e)
	waitTimers(t, clock, 1)
	first := clock.Deadlines()[0].Sub(clock.Now())
	if first < 0 || first > time.Duration(jitter*float64(interval)) {
		t.Fatalf("first delay %v outside [0, %v]", first, time.Duration(jitter*float64(interval)))
	}
	lo, hi := time.Duration((1-jitter)*float64(interval)), time.Duration((1+jitter)*float64(interval))
	seen := map[time.Duration]bool{}
	clock.Advance(first)
	for i := range 20 {
		waitTimers(t, clock, 1)
		if got := e.State().Checks; got != uint64(i+1) {
			t.Fatalf("%d checks after %d ticks", got, i+1)
		}
		d := clock.Deadlines()[0].Sub(clock.Now())
		if d < lo || d > hi {
			t.Fatalf("delay %v outside [%v, %v]", d, lo, hi)
		}
		seen[d] = true
		clock.Advance(d)
	}
	if len(seen) < 15 {
		t.Fatalf("only %d distinct delays in 20: no jitter", len(seen))
	}
}

func TestNextDelayBounds(t *testing.T) {
	e, err := NewElector(ElectorConfig{Prober: tcpProber{}, Port: 1, Interval: 10 * time.Second, Jitter: 0.1,
		Rand: rand.New(rand.NewPCG(3, 4))})
	if err != nil {
		t.Fatal(err)
	}
	var below, above int
	for range 10000 {
		d := e.nextDelay()
		if d < 9*time.Second || d > 11*time.Second {
			t.Fatalf("delay %v outside [9s, 11s]", d)
		}
		if d < 9500*time.Millisecond {
			below++
		}
		if d > 10500*time.Millisecond {
			above++
		}
	}
	if below < 2000 || above < 2000 {
		t.Fatalf("delays not spread over the range: %d in the low quarter, %d in the high quarter", below, above)
	}
}

func TestElectorConfigChecks(t *testing.T) {
	for _, cfg := range []ElectorConfig{
		{Port: 1},
		{Prober: tcpProber{}},
		{Prober: tcpProber{}, Port: 1, Jitter: 0.9},
		{Prober: tcpProber{}, Port: 1, MaxEntries: 17},
		{Prober: tcpProber{}, Port: 1, FailThreshold: -1},
		{Prober: tcpProber{}, Port: 1, Interval: -time.Second},
	} {
		if _, err := NewElector(cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

func TestElectorRunTwice(t *testing.T) {
	e, err := NewElector(ElectorConfig{Prober: tcpProber{}, Port: 1, Clock: clocktest.New(t0)})
	if err != nil {
		t.Fatal(err)
	}
	stop := runAll(t, e)
	clock := e.clock.(*clocktest.Fake)
	waitTimers(t, clock, 1)
	if err := e.Run(context.Background()); err == nil {
		t.Fatal("second Run accepted")
	}
	stop()
	if clock.Pending() != 0 {
		t.Fatal("Run left its timer pending after stopping")
	}
}
