package overlay_test

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"tincan/core/overlay"
	"tincan/core/overlay/memnet"
)

const simN = 300

// simCluster builds simN nodes on the in-memory network (every message
// through the real codec) and lets them settle.
func simCluster(t *testing.T, seed uint64) *memnet.Cluster {
	t.Helper()
	sim := memnet.New(memnet.Options{Seed: seed, Codec: true})
	c := memnet.NewCluster(sim, overlay.Params{})
	if err := c.Grow(simN, 50*time.Millisecond); err != nil {
		t.Fatalf("grow: %v", err)
	}
	// One maintenance round: the nodes that joined first re-announce now
	// that the network has grown around their tags.
	sim.RunFor(overlay.DefaultParams().MaintainInterval * 6 / 5)
	checkSim(t, c)
	return c
}

func checkSim(t *testing.T, c *memnet.Cluster) {
	t.Helper()
	if err := c.Sim.Err(); err != nil {
		t.Fatalf("codec on the simulated wire: %v", err)
	}
}

// connect runs one set-up from a to b's user and returns the result.
func connect(t *testing.T, c *memnet.Cluster, a, b *memnet.Member, mode overlay.Mode) overlay.ConnectResult {
	t.Helper()
	var res *overlay.ConnectResult
	a.Node.Connect(b.Request(mode), func(r overlay.ConnectResult) { res = &r })
	for i := 0; res == nil && i < 60; i++ {
		c.Sim.RunFor(time.Second)
	}
	checkSim(t, c)
	if res == nil {
		t.Fatalf("set-up %d -> %d never finished", a.Index, b.Index)
	}
	return *res
}

// fresh returns n random live members that no earlier subtest used.
func fresh(c *memnet.Cluster, used map[*memnet.Member]bool, n int) []*memnet.Member {
	ms := c.RandomLive(n, func(m *memnet.Member) bool { return !used[m] })
	for _, m := range ms {
		used[m] = true
	}
	return ms
}

func totalOpens(c *memnet.Cluster, except *memnet.Member) uint64 {
	var n uint64
	for _, m := range c.Members {
		if m != except {
			n += m.Key.Opens()
		}
	}
	return n
}

// TestSim runs the overlay's scenarios on one simulated network of simN
// nodes, in order; each uses nodes no earlier one touched, and the churn
// comes last.
func TestSim(t *testing.T) {
	t.Parallel()
	c := simCluster(t, 1)
	used := map[*memnet.Member]bool{}
	for _, st := range []struct {
		name string
		run  func(*testing.T, *memnet.Cluster, map[*memnet.Member]bool)
	}{
		{"LookupsFindTrueClosest", simLookupsFindTrueClosest},
		{"RendezvousSetupDecryptsNothing", simRendezvousSetupDecryptsNothing},
		{"FloodSetupForwardsEachNonceOnce", simFloodSetupForwardsEachNonceOnce},
		{"ReplayedAndStaleFloodsDropped", simReplayedAndStaleFloodsDropped},
		{"FloodRateLimitPerLink", simFloodRateLimitPerLink},
		{"DroppedContactGetsNoAnswer", simDroppedContactGetsNoAnswer},
		{"SetupsSurviveChurn", simSetupsSurviveChurn},
	} {
		if !t.Run(st.name, func(t *testing.T) { st.run(t, c, used) }) {
			return // later scenarios assume the earlier ones left the network sound
		}
	}
}

func simLookupsFindTrueClosest(t *testing.T, c *memnet.Cluster, _ map[*memnet.Member]bool) {
	k := overlay.DefaultParams().K
	r := c.Sim.Rand()
	maxHops := int(math.Ceil(math.Log2(simN)))
	for i := 0; i < 40; i++ {
		src := c.RandomLive(1, nil)[0]
		var target overlay.GUID
		for j := range target {
			target[j] = byte(r.Uint32())
		}
		var res *overlay.LookupResult
		src.Node.Lookup(target, func(lr overlay.LookupResult) { res = &lr })
		c.Sim.RunFor(10 * time.Second)
		if res == nil {
			t.Fatalf("lookup %d never finished", i)
		}
		var got []overlay.GUID
		for _, p := range res.Closest {
			got = append(got, p.GUID)
		}
		want := c.TrueClosest(target, k)
		if i := slices.Index(want, src.Peer.GUID); i >= 0 { // a node does not find itself
			want = slices.Delete(want, i, i+1)
			got = got[:min(len(got), len(want))]
		}
		if !slices.Equal(got, want) {
			t.Fatalf("lookup %d from %d: got %v\nwant %v", i, src.Index, got, want)
		}
		if res.Hops < 1 || res.Hops > maxHops {
			t.Errorf("lookup %d took %d hops, want 1 to %d", i, res.Hops, maxHops)
		}
	}
	for _, m := range c.Live() {
		if n := m.Node.Table().Len(); n < overlay.DefaultParams().K || n > 20*maxHops {
			t.Errorf("node %d: table holds %d entries", m.Index, n)
		}
	}
}

func simRendezvousSetupDecryptsNothing(t *testing.T, c *memnet.Cluster, used map[*memnet.Member]bool) {
	incoming := map[int]int{}
	defer func() { c.OnIncoming = nil }()
	c.OnIncoming = func(m *memnet.Member, in overlay.Incoming) {
		incoming[m.Index]++
		if in.Via != overlay.ViaRendezvous {
			t.Errorf("incoming via %v", in.Via)
		}
	}
	before, opens := c.Sim.Sent(), totalOpens(c, nil)
	var last []*memnet.Member
	const setups = 20
	for i := 0; i < setups; i++ {
		pair := fresh(c, used, 2)
		a, b := pair[0], pair[1]
		last = pair
		res := connect(t, c, a, b, overlay.ModeRendezvous)
		if res.Err != nil || res.Via != overlay.ViaRendezvous {
			t.Fatalf("set-up %d -> %d: via %v, err %v", a.Index, b.Index, res.Via, res.Err)
		}
		if res.GUID != b.Peer.GUID || !slices.Contains(res.Candidates, b.Peer.Addr) {
			t.Fatalf("set-up %d -> %d: got %s %v, want %s", a.Index, b.Index, res.GUID.Short(), res.Candidates, b.Peer)
		}
		if incoming[b.Index] == 0 {
			t.Fatalf("receiver %d was not told of the request", b.Index)
		}
	}
	if n := totalOpens(c, nil) - opens; n != 0 {
		t.Fatalf("rendezvous set-ups cost %d private-key decryptions, want 0", n)
	}
	after := c.Sim.Sent()
	var msgs uint64
	for _, ty := range []overlay.Type{overlay.TypeFindValue, overlay.TypeValue, overlay.TypeConnect, overlay.TypeConnectAnswer} {
		msgs += after[ty] - before[ty]
	}
	if per := msgs / setups; per == 0 || per > 100 {
		t.Fatalf("%d messages per rendezvous set-up", per)
	}
	if after[overlay.TypeFlood] != before[overlay.TypeFlood] {
		t.Fatalf("a rendezvous set-up flooded")
	}
	// A burst to the same contact reuses the recent result: no messages.
	a, b := last[0], last[1]
	sent := c.Sim.Sent()
	if res := connect(t, c, a, b, overlay.ModeRendezvous); res.Via != overlay.ViaCache || res.GUID != b.Peer.GUID {
		t.Fatalf("second set-up in a burst: %+v", res)
	}
	if c.Sim.Sent() != sent {
		t.Fatal("a cached set-up sent messages")
	}
}

// floodOnce runs a flood set-up a -> b and returns the first flood message a sent.
func floodOnce(t *testing.T, c *memnet.Cluster, a, b *memnet.Member) (overlay.ConnectResult, *overlay.Flood, map[[3]string]int) {
	t.Helper()
	var first *overlay.Flood
	sends := map[[3]string]int{}
	c.Sim.OnSend(func(from, to overlay.Peer, m overlay.Message) {
		if f, ok := m.(*overlay.Flood); ok {
			if first == nil && from.GUID == a.Peer.GUID {
				first = f
			}
			sends[[3]string{from.GUID.String(), to.GUID.String(), string(f.Nonce[:])}]++
		}
	})
	defer c.Sim.OnSend(nil)
	return connect(t, c, a, b, overlay.ModeFlood), first, sends
}

func simFloodSetupForwardsEachNonceOnce(t *testing.T, c *memnet.Cluster, used map[*memnet.Member]bool) {
	pair := fresh(c, used, 2)
	a, b := pair[0], pair[1]
	live := c.Live()
	forwarded := make([]uint64, len(live))
	opens := make([]uint64, len(live))
	for i, m := range live {
		forwarded[i], opens[i] = m.Node.Stats().FloodsForwarded, m.Key.Opens()
	}
	answered := b.Node.Stats().Answered
	res, first, sends := floodOnce(t, c, a, b)
	if res.Err != nil || res.Via != overlay.ViaFlood || res.GUID != b.Peer.GUID {
		t.Fatalf("flood set-up: %+v", res)
	}
	if first == nil {
		t.Fatal("the sender sent no flood")
	}
	for k, n := range sends {
		if n != 1 {
			t.Fatalf("%s sent nonce to %s %d times", k[0][:8], k[1][:8], n)
		}
	}
	reached := 0
	for i, m := range live {
		if f := m.Node.Stats().FloodsForwarded - forwarded[i]; f > 1 {
			t.Fatalf("node %d forwarded %d floods, want at most 1", m.Index, f)
		}
		switch m.Key.Opens() - opens[i] {
		case 0:
		case 1:
			reached++
		default:
			t.Fatalf("node %d tried %d decryptions of one flood", m.Index, m.Key.Opens()-opens[i])
		}
	}
	if reached < len(live)*9/10 {
		t.Fatalf("the flood reached %d of %d nodes", reached, len(live))
	}
	if got := b.Node.Stats().Answered - answered; got != 1 {
		t.Fatalf("receiver answered %d times, want 1", got)
	}
}

func simReplayedAndStaleFloodsDropped(t *testing.T, c *memnet.Cluster, used map[*memnet.Member]bool) {
	pair := fresh(c, used, 3)
	a, b, other := pair[0], pair[1], pair[2]
	res, first, _ := floodOnce(t, c, a, b)
	if res.Err != nil {
		t.Fatalf("flood set-up: %v", res.Err)
	}
	// Replay: the same envelope again, from another node, within MaxAge.
	opens, st := b.Key.Opens(), b.Node.Stats()
	other.Host.Send(b.Peer, first)
	c.Sim.RunFor(5 * time.Second)
	if got := b.Node.Stats(); got.Replayed != st.Replayed+1 || got.Answered != st.Answered {
		t.Fatalf("replay: replayed %d -> %d, answered %d -> %d", st.Replayed, got.Replayed, st.Answered, got.Answered)
	}
	if b.Key.Opens() != opens {
		t.Fatal("a replayed envelope was decrypted again")
	}
	// Past MaxAge the same envelope is stale, even where it was forgotten.
	c.Sim.RunFor(overlay.DefaultParams().MaxAge + time.Minute)
	st = b.Node.Stats()
	other.Host.Send(b.Peer, first)
	c.Sim.RunFor(5 * time.Second)
	if got := b.Node.Stats(); got.Stale != st.Stale+1 || got.Answered != st.Answered {
		t.Fatalf("old replay: stale %d -> %d", st.Stale, got.Stale)
	}
	// A sender whose clock is 10 minutes slow: its fresh envelope is stale
	// on arrival, so no one decrypts it and no one answers.
	pair = fresh(c, used, 2)
	slow, rcv := pair[0], pair[1]
	slow.Host.SetClockError(-10 * time.Minute)
	opens = totalOpens(c, nil)
	res = connect(t, c, slow, rcv, overlay.ModeFlood)
	if !errors.Is(res.Err, overlay.ErrUnreachable) {
		t.Fatalf("stale flood set-up: %+v", res)
	}
	if n := totalOpens(c, nil) - opens; n != 0 {
		t.Fatalf("a stale flood cost %d decryptions", n)
	}
	slow.Host.SetClockError(0)
}

func simDroppedContactGetsNoAnswer(t *testing.T, c *memnet.Cluster, used map[*memnet.Member]bool) {
	pair := fresh(c, used, 2)
	a, b := pair[0], pair[1]
	old := b.Request(overlay.ModeAuto)
	// b rotates its secret ID (keeping its key) and gives the new one only
	// to others: a is dropped.
	u := b.User
	u.SecretID[0] ^= 0xff
	b.User = u
	b.Node.SetUser(&u)
	answered := b.Node.Stats().Answered
	var res *overlay.ConnectResult
	a.Node.Connect(old, func(r overlay.ConnectResult) { res = &r })
	c.Sim.RunFor(time.Minute)
	checkSim(t, c)
	if res == nil || !errors.Is(res.Err, overlay.ErrUnreachable) {
		t.Fatalf("dropped contact: %+v", res)
	}
	st := b.Node.Stats()
	if st.Answered != answered || st.Rejected == 0 {
		t.Fatalf("receiver answered %d (was %d), rejected %d", st.Answered, answered, st.Rejected)
	}
	// A contact with the new secret ID still gets through.
	got := connect(t, c, fresh(c, used, 1)[0], b, overlay.ModeAuto)
	if got.Err != nil || got.GUID != b.Peer.GUID {
		t.Fatalf("current contact: %+v", got)
	}
}

func simFloodRateLimitPerLink(t *testing.T, c *memnet.Cluster, used map[*memnet.Member]bool) {
	pair := fresh(c, used, 2)
	a, b := pair[0], pair[1]
	p := overlay.DefaultParams()
	extra := 10
	st := b.Node.Stats()
	r := c.Sim.Rand()
	for i := 0; i < int(p.FloodBurst)+extra; i++ {
		f := &overlay.Flood{Time: c.Sim.Now().UnixMilli(), TTL: 1, Envelope: []byte("not for anyone")}
		for j := range f.Nonce {
			f.Nonce[j] = byte(r.Uint32())
		}
		a.Host.Send(b.Peer, f)
	}
	c.Sim.RunFor(time.Second)
	got := b.Node.Stats()
	if got.RateLimited-st.RateLimited != uint64(extra) {
		t.Fatalf("rate limited %d of %d floods from one link, want %d",
			got.RateLimited-st.RateLimited, int(p.FloodBurst)+extra, extra)
	}
	if got.TrialDecrypts-st.TrialDecrypts != uint64(p.FloodBurst) {
		t.Fatalf("decrypted %d floods, want %d", got.TrialDecrypts-st.TrialDecrypts, int(p.FloodBurst))
	}
}

func simSetupsSurviveChurn(t *testing.T, c *memnet.Cluster, _ map[*memnet.Member]bool) {
	r := c.Sim.Rand()
	// A fifth of the nodes leave without a word and as many new ones join,
	// over ten minutes; the survivors re-announce as usual.
	for i := 0; i < simN/5; i++ {
		c.Sim.After(time.Duration(r.Int64N(int64(10*time.Minute))), func() {
			if v := c.RandomLive(1, nil); len(v) == 1 {
				c.Kill(v[0])
			}
		})
		c.Sim.After(time.Duration(r.Int64N(int64(10*time.Minute))), func() {
			if m, err := c.Spawn(); err == nil {
				c.Join(m, 3, nil)
			}
		})
	}
	c.Sim.RunFor(10 * time.Minute)
	ok, total := 0, 40
	for i := 0; i < total; i++ {
		pair := c.RandomLive(2, nil)
		if res := connect(t, c, pair[0], pair[1], overlay.ModeAuto); res.Err == nil && res.GUID == pair[1].Peer.GUID {
			ok++
		}
	}
	if ok < total*95/100 {
		t.Fatalf("%d of %d set-ups succeeded under churn", ok, total)
	}
}
