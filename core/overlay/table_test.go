package overlay

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

func testTable(self GUID) *Table {
	return NewTable(self, TableConfig{K: 8, PerSubnet: 2, Replacements: 4, ProbeAfter: time.Minute})
}

func TestBucketIndexIsCommonPrefixOfXOR(t *testing.T) {
	var self GUID
	tb := testTable(self)
	cases := []struct {
		g    GUID
		want int
	}{
		{GUID{0x80}, 0},
		{GUID{0x40}, 1},
		{GUID{0x01}, 7},
		{GUID{0, 0x80}, 8},
		{GUID{19: 1}, 159},
		{self, GUIDBits},
	}
	for _, c := range cases {
		if got := tb.BucketIndex(c.g); got != c.want {
			t.Errorf("BucketIndex(%s) = %d, want %d", c.g.Short(), got, c.want)
		}
	}
	r := testRand(t)
	self = randGUID(r)
	tb = testTable(self)
	for i := 0; i < GUIDBits; i++ {
		g := InBucket(self, i, randGUID(r))
		if got := tb.BucketIndex(g); got != i {
			t.Fatalf("InBucket(self, %d) landed in bucket %d", i, got)
		}
		x := self
		for j := range x {
			x[j] ^= g[j]
		}
		// The XOR distance's first set bit is bit i.
		if bit(x, i) != 1 || CommonPrefixLen(x, GUID{}) != i {
			t.Fatalf("bucket %d: distance %s", i, x)
		}
	}
}

func TestBucketHoldsAtMostK(t *testing.T) {
	r := testRand(t)
	self := randGUID(r)
	tb := testTable(self)
	for i := 0; i < 30; i++ {
		tb.Seen(peerIn(r, self, 0), t0)
	}
	if tb.BucketLen(0) != 8 || tb.Len() != 8 {
		t.Fatalf("bucket 0 holds %d (table %d), want 8", tb.BucketLen(0), tb.Len())
	}
	tb.Seen(peerIn(r, self, 5), t0)
	if tb.BucketLen(5) != 1 || tb.Len() != 9 {
		t.Fatalf("bucket 5 holds %d (table %d)", tb.BucketLen(5), tb.Len())
	}
}

func TestBucketLimitsPeersPerSubnet(t *testing.T) {
	r := testRand(t)
	self := randGUID(r)
	tb := testTable(self)
	add := func(addr string) bool {
		p := Peer{GUID: InBucket(self, 3, randGUID(r)), Addr: netip.MustParseAddrPort(addr)}
		tb.Seen(p, t0)
		_, ok := tb.Get(p.GUID)
		return ok
	}
	for i, c := range []struct {
		addr string
		want bool
	}{
		{"203.0.113.1:7700", true},
		{"203.0.113.2:7700", true},
		{"203.0.113.3:7700", false}, // third from one /24
		{"203.0.113.1:7701", false}, // same host, other port
		{"203.0.114.1:7700", true},  // next /24
		{"[2001:db8:1::1]:7700", true},
		{"[2001:db8:1:ffff::2]:7700", true},
		{"[2001:db8:1:abcd::3]:7700", false}, // third from one /48
		{"[2001:db8:2::1]:7700", true},       // next /48
	} {
		if got := add(c.addr); got != c.want {
			t.Errorf("%d: %s admitted %v, want %v", i, c.addr, got, c.want)
		}
	}
	// The limit is per bucket: the full /24 may still appear in another.
	p := Peer{GUID: InBucket(self, 4, randGUID(r)), Addr: netip.MustParseAddrPort("203.0.113.9:7700")}
	tb.Seen(p, t0)
	if _, ok := tb.Get(p.GUID); !ok {
		t.Error("a /24 full in bucket 3 was refused in bucket 4")
	}
}

func TestFullBucketPrefersLiveOldNodes(t *testing.T) {
	r := testRand(t)
	self := randGUID(r)
	tb := testTable(self)
	var olds []Peer
	for i := 0; i < 8; i++ {
		p := peerIn(r, self, 0)
		olds = append(olds, p)
		tb.Seen(p, t0.Add(time.Duration(i)*time.Second))
	}
	// A newcomer while the oldest entry was heard from recently: no probe,
	// and the newcomer waits as a candidate.
	n1 := peerIn(r, self, 0)
	if res := tb.Seen(n1, t0.Add(30*time.Second)); res.NeedProbe || res.Added {
		t.Fatalf("newcomer to a fresh full bucket: %+v", res)
	}
	// Later, a newcomer makes the table ask for a probe of the least
	// recently seen entry, the oldest.
	now := t0.Add(5 * time.Minute)
	n2 := peerIn(r, self, 0)
	res := tb.Seen(n2, now)
	if !res.NeedProbe || res.Probe.GUID != olds[0].GUID {
		t.Fatalf("want a probe of the oldest entry, got %+v", res)
	}
	if again := tb.Seen(peerIn(r, self, 0), now); again.NeedProbe {
		t.Fatal("a second probe while one is in flight")
	}
	// It answers: it stays, moved to the tail; the newcomer stays out.
	tb.ProbeResult(olds[0].GUID, true, now)
	if _, ok := tb.Get(olds[0].GUID); !ok {
		t.Fatal("a live old entry was evicted")
	}
	if _, ok := tb.Get(n2.GUID); ok {
		t.Fatal("a newcomer displaced a live entry")
	}
	// The next newcomer probes the next oldest, which is dead: it goes,
	// and the newest candidate takes its place.
	n3 := peerIn(r, self, 0)
	res = tb.Seen(n3, now)
	if !res.NeedProbe || res.Probe.GUID != olds[1].GUID {
		t.Fatalf("want a probe of the second oldest, got %+v", res)
	}
	tb.ProbeResult(olds[1].GUID, false, now)
	if _, ok := tb.Get(olds[1].GUID); ok {
		t.Fatal("a dead entry stayed")
	}
	if _, ok := tb.Get(n3.GUID); !ok {
		t.Fatal("the newest candidate did not replace the dead entry")
	}
	if tb.BucketLen(0) != 8 {
		t.Fatalf("bucket holds %d", tb.BucketLen(0))
	}
	// A failed link removes an entry and promotes the next candidate.
	tb.Remove(olds[2].GUID)
	if _, ok := tb.Get(olds[2].GUID); ok || tb.BucketLen(0) != 8 {
		t.Fatalf("after Remove: present %v, bucket %d", ok, tb.BucketLen(0))
	}
}

func TestClosestMatchesBruteForce(t *testing.T) {
	t.Parallel()
	r := testRand(t)
	self := randGUID(r)
	tb := testTable(self)
	for i := 0; i < 2000; i++ {
		// Mostly random GUIDs (low buckets), some deep ones.
		p := Peer{GUID: randGUID(r), Addr: randAddr(r)}
		if i%3 == 0 {
			p = peerIn(r, self, r.IntN(40))
		}
		tb.Seen(p, t0)
	}
	var all []GUID
	tb.ForEach(func(p Peer) { all = append(all, p.GUID) })
	if len(all) != tb.Len() || len(all) < 100 {
		t.Fatalf("table holds %d (Len %d)", len(all), tb.Len())
	}
	targets := []GUID{self, {}}
	for i := 0; i < 300; i++ {
		targets = append(targets, randGUID(r), InBucket(self, r.IntN(30), randGUID(r)))
	}
	for _, target := range targets {
		want := slices.Clone(all)
		slices.SortFunc(want, func(a, b GUID) int { return CompareDistance(target, a, b) })
		for _, n := range []int{1, 3, 8, 20, len(all) + 5} {
			var got []GUID
			for _, p := range tb.Closest(target, n, nil) {
				got = append(got, p.GUID)
			}
			if !slices.Equal(got, want[:min(n, len(want))]) {
				t.Fatalf("Closest(%s, %d) differs from brute force", target.Short(), n)
			}
		}
	}
}

func TestCompareDistance(t *testing.T) {
	target := GUID{0x0f}
	a, b := GUID{0x0e}, GUID{0x1f} // distances 0x01.., 0x10..
	if CompareDistance(target, a, b) != -1 || CompareDistance(target, b, a) != 1 || CompareDistance(target, a, a) != 0 {
		t.Fatal("CompareDistance ordered wrongly in the first byte")
	}
	a, b = GUID{19: 1}, GUID{19: 2}
	if CompareDistance(GUID{}, a, b) != -1 {
		t.Fatal("CompareDistance ordered wrongly in the last byte")
	}
}
