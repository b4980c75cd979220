package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"tincan/core/overlay"
	"tincan/core/overlay/memnet"
)

// scenario is one network size's run.
type scenario struct {
	n           int
	seed        uint64
	lookups     int
	setups      int
	floods      int
	churnSetups int
	churn       float64
	verbose     bool
	log         io.Writer

	sim      *memnet.Sim
	c        *memnet.Cluster
	lastSent [overlay.NumTypes]uint64
}

// result is what one scenario measured.
type result struct {
	n                    int
	tableMean            float64
	tableMax             int
	hops                 []int
	exact                int
	lookupsDone          int
	rdvMsgs              float64
	rdvOK, rdvRuns       int
	rdvDecryptsOthers    uint64
	rdvDecryptsReceivers uint64
	floodMsgs            float64
	floodDecrypts        float64
	floodOthersDecrypts  float64
	floodOK, floodRuns   int
	churnOK, churnRdvOK  int
	churnRuns            int
	upkeep               float64 // messages per node per hour in a settled network
	left, joined         int
	heapMB               float64
	events               uint64
	wall                 time.Duration
	simTime              time.Duration
}

func (s *scenario) logf(format string, args ...any) {
	if !s.verbose {
		return
	}
	fmt.Fprintf(s.log, "N=%d %s: "+format+"\n", append([]any{s.n, time.Now().Format("15:04:05")}, args...)...)
	sent := s.sim.Sent()
	var b strings.Builder
	for t := range overlay.NumTypes {
		if d := sent[t] - s.lastSent[t]; d > 0 {
			fmt.Fprintf(&b, " %s=%d", overlay.Type(t), d)
		}
	}
	s.lastSent = sent
	fmt.Fprintf(s.log, "    messages:%s\n", b.String())
}

func (s *scenario) run() (*result, error) {
	start := time.Now()
	s.sim = memnet.New(memnet.Options{Seed: s.seed})
	s.c = memnet.NewCluster(s.sim, overlay.Params{})
	simStart := s.sim.Now()
	res := &result{n: s.n}

	s.logf("joining")
	if err := s.c.Grow(s.n, 10*time.Millisecond); err != nil {
		return nil, err
	}
	s.logf("joined, %d events", s.sim.Events())
	// Let every node run one maintenance round in the grown network, as
	// in a network in steady state: the first nodes announced their
	// records when the network was a few dozen nodes.
	settle := overlay.DefaultParams().MaintainInterval * 6 / 5
	before := s.sim.Sent()
	s.sim.RunFor(settle)
	res.upkeep = float64(countTypes(before, s.sim.Sent(), allTypes()...)) / float64(s.n) / settle.Hours()
	s.logf("settled, %d events", s.sim.Events())

	s.measureTables(res)
	s.measureLookups(res)
	s.logf("lookups done")
	s.measureRendezvous(res)
	s.logf("rendezvous done")
	s.measureFlood(res)
	s.logf("floods done")
	if err := s.measureChurn(res); err != nil {
		return nil, err
	}
	s.logf("churn done")

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.heapMB = float64(ms.HeapAlloc) / (1 << 20)
	res.events = s.sim.Events()
	res.simTime = s.sim.Now().Sub(simStart)
	res.wall = time.Since(start)
	return res, nil
}

func (s *scenario) measureTables(res *result) {
	live := s.c.Live()
	total := 0
	for _, m := range live {
		l := m.Node.Table().Len()
		total += l
		res.tableMax = max(res.tableMax, l)
	}
	res.tableMean = float64(total) / float64(len(live))
}

func (s *scenario) randomGUID() overlay.GUID {
	var g overlay.GUID
	r := s.sim.Rand()
	for i := range g {
		g[i] = byte(r.Uint32())
	}
	return g
}

// measureLookups runs random FIND_NODE lookups, 20 ms apart, and checks
// each against the true closest nodes.
func (s *scenario) measureLookups(res *result) {
	k := overlay.DefaultParams().K
	for i := 0; i < s.lookups; i++ {
		src := s.c.RandomLive(1, nil)[0]
		target := s.randomGUID()
		s.sim.After(time.Duration(i)*20*time.Millisecond, func() {
			if src.Node == nil {
				return
			}
			src.Node.Lookup(target, func(lr overlay.LookupResult) {
				res.lookupsDone++
				res.hops = append(res.hops, lr.Hops)
				want := s.c.TrueClosest(target, k+1)
				if j := slices.Index(want, src.Peer.GUID); j >= 0 {
					want = slices.Delete(want, j, j+1)
				}
				want = want[:min(k, len(want))]
				got := make([]overlay.GUID, 0, len(lr.Closest))
				for _, p := range lr.Closest {
					got = append(got, p.GUID)
				}
				if slices.Equal(got, want) {
					res.exact++
				}
			})
		})
	}
	s.sim.RunFor(time.Duration(s.lookups)*20*time.Millisecond + 30*time.Second)
	slices.Sort(res.hops)
}

func (s *scenario) opens() []uint64 {
	out := make([]uint64, len(s.c.Members))
	for i, m := range s.c.Members {
		out[i] = m.Key.Opens()
	}
	return out
}

func allTypes() []overlay.Type {
	var ts []overlay.Type
	for t := overlay.TypePing; int(t) < overlay.NumTypes; t++ {
		ts = append(ts, t)
	}
	return ts
}

func countTypes(before, after [overlay.NumTypes]uint64, types ...overlay.Type) uint64 {
	var n uint64
	for _, t := range types {
		n += after[t] - before[t]
	}
	return n
}

// measureRendezvous runs set-ups by rendezvous only, 100 ms apart, and counts
// their messages and every private-key decryption anywhere.
func (s *scenario) measureRendezvous(res *result) {
	before, opens := s.sim.Sent(), s.opens()
	receivers := map[int]bool{}
	for i := 0; i < s.setups; i++ {
		pair := s.c.RandomLive(2, nil)
		a, b := pair[0], pair[1]
		receivers[b.Index] = true
		s.sim.After(time.Duration(i)*100*time.Millisecond, func() {
			a.Node.Connect(b.Request(overlay.ModeRendezvous), func(r overlay.ConnectResult) {
				res.rdvRuns++
				if r.Err == nil && r.GUID == b.Peer.GUID {
					res.rdvOK++
				}
			})
		})
	}
	s.sim.RunFor(time.Duration(s.setups)*100*time.Millisecond + time.Minute)
	after := s.sim.Sent()
	res.rdvMsgs = float64(countTypes(before, after, overlay.TypeFindValue, overlay.TypeValue,
		overlay.TypeConnect, overlay.TypeConnectAnswer)) / float64(max(res.rdvRuns, 1))
	for i, m := range s.c.Members {
		d := m.Key.Opens() - valueAt(opens, i)
		if receivers[i] {
			res.rdvDecryptsReceivers += d
		} else {
			res.rdvDecryptsOthers += d
		}
	}
}

func valueAt(v []uint64, i int) uint64 {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// measureFlood runs flood-only set-ups one at a time.
func (s *scenario) measureFlood(res *result) {
	var msgs, decrypts, others uint64
	for i := 0; i < s.floods; i++ {
		pair := s.c.RandomLive(2, nil)
		a, b := pair[0], pair[1]
		before, opens := s.sim.Sent(), s.opens()
		a.Node.Connect(b.Request(overlay.ModeFlood), func(r overlay.ConnectResult) {
			res.floodRuns++
			if r.Err == nil && r.GUID == b.Peer.GUID {
				res.floodOK++
			}
		})
		s.sim.RunFor(20 * time.Second)
		msgs += countTypes(before, s.sim.Sent(), overlay.TypeFlood, overlay.TypeFloodAnswer)
		for j, m := range s.c.Members {
			d := m.Key.Opens() - valueAt(opens, j)
			decrypts += d
			if m != b {
				others += d
			}
		}
	}
	f := float64(max(s.floods, 1))
	res.floodMsgs, res.floodDecrypts, res.floodOthersDecrypts = float64(msgs)/f, float64(decrypts)/f, float64(others)/f
}

// measureChurn has churn*N nodes leave (without a word) and as many new ones
// join at random times over 20 minutes, while set-ups (rendezvous with the
// flood as fallback) run between nodes that are up. Nodes in a set-up are
// not chosen to leave during it: the question is whether the overlay finds a
// live contact while other nodes come and go.
func (s *scenario) measureChurn(res *result) error {
	const span = 20 * time.Minute
	r := s.sim.Rand()
	busy := map[*memnet.Member]int{}
	events := int(math.Round(s.churn * float64(s.n)))
	for i := 0; i < events; i++ {
		s.sim.After(time.Duration(r.Int64N(int64(span))), func() {
			v := s.c.RandomLive(1, func(m *memnet.Member) bool { return busy[m] == 0 })
			if len(v) == 1 {
				s.c.Kill(v[0])
				res.left++
			}
		})
		s.sim.After(time.Duration(r.Int64N(int64(span))), func() {
			m, err := s.c.Spawn()
			if err != nil {
				return
			}
			s.c.Join(m, 3, func(err error) {
				if err == nil {
					res.joined++
				}
			})
		})
	}
	for i := 0; i < s.churnSetups; i++ {
		at := 2*time.Minute + time.Duration(r.Int64N(int64(span-2*time.Minute)))
		s.sim.After(at, func() {
			pair := s.c.RandomLive(2, nil)
			if len(pair) < 2 {
				return
			}
			a, b := pair[0], pair[1]
			busy[a]++
			busy[b]++
			a.Node.Connect(b.Request(overlay.ModeAuto), func(cr overlay.ConnectResult) {
				busy[a]--
				busy[b]--
				res.churnRuns++
				if cr.Err == nil && cr.GUID == b.Peer.GUID {
					res.churnOK++
					if cr.Via == overlay.ViaRendezvous {
						res.churnRdvOK++
					}
				}
			})
		})
	}
	s.sim.RunFor(span + time.Minute)
	if res.churnRuns != s.churnSetups {
		return fmt.Errorf("churn: %d of %d set-ups finished", res.churnRuns, s.churnSetups)
	}
	return nil
}
