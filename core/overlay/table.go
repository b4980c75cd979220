package overlay

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// TableConfig sets a routing table's limits.
type TableConfig struct {
	K            int           // live entries per bucket
	PerSubnet    int           // entries per bucket from one IPv4 /24 or IPv6 /48
	Replacements int           // candidates kept per full bucket
	ProbeAfter   time.Duration // a full bucket probes its least-recently-seen entry only if silent this long
}

// Table is a Kademlia routing table: bucket i holds nodes whose GUID shares
// exactly i leading bits with ours, at most K of them, least recently seen
// first. A full bucket keeps a few replacement candidates and prefers its old
// live entries: a newcomer gets in only when the least-recently-seen entry
// fails a probe. At most PerSubnet entries of a bucket share a /24 (IPv4) or
// /48 (IPv6), so one network cannot fill a bucket (eclipse resistance).
//
// Entries are pointer-free so that tens of thousands of tables cost the
// garbage collector nothing to scan.
type Table struct {
	self    GUID
	cfg     TableConfig
	buckets []bucket
	size    int
}

type entry struct {
	guid GUID
	ip   [16]byte
	port uint16
	seen int64 // Unix nanoseconds when last heard from
}

type bucket struct {
	live    []entry // least recently seen first
	repl    []entry // replacement candidates, newest last
	probing bool    // a probe of live[0] is in flight
	touched int64   // Unix nanoseconds of the last lookup into this bucket
}

// NewTable returns an empty table for a node with GUID self.
func NewTable(self GUID, cfg TableConfig) *Table {
	if cfg.K <= 0 {
		cfg.K = 8
	}
	if cfg.PerSubnet <= 0 {
		cfg.PerSubnet = 2
	}
	if cfg.Replacements < 0 {
		cfg.Replacements = 0
	}
	return &Table{self: self, cfg: cfg}
}

// Self returns the GUID the table is built around.
func (t *Table) Self() GUID { return t.self }

// Len returns the number of live entries.
func (t *Table) Len() int { return t.size }

// NumBuckets returns one more than the highest bucket index in use.
func (t *Table) NumBuckets() int { return len(t.buckets) }

// BucketLen returns the number of live entries in bucket i.
func (t *Table) BucketLen(i int) int {
	if i < 0 || i >= len(t.buckets) {
		return 0
	}
	return len(t.buckets[i].live)
}

// BucketIndex returns the bucket g belongs in: its common prefix length with
// the table's own GUID (GUIDBits for the own GUID, which no bucket holds).
func (t *Table) BucketIndex(g GUID) int { return CommonPrefixLen(t.self, g) }

func toEntry(p Peer, now time.Time) entry {
	return entry{guid: p.GUID, ip: p.Addr.Addr().As16(), port: p.Addr.Port(), seen: now.UnixNano()}
}

func (e *entry) peer() Peer {
	return Peer{GUID: e.guid, Addr: netip.AddrPortFrom(netip.AddrFrom16(e.ip).Unmap(), e.port)}
}

var v4Prefix = [12]byte{10: 0xff, 11: 0xff}

// sameSubnet reports whether a and b share an IPv4 /24 or an IPv6 /48.
func sameSubnet(a, b *[16]byte) bool {
	a4, b4 := [12]byte(a[:12]) == v4Prefix, [12]byte(b[:12]) == v4Prefix
	if a4 != b4 {
		return false
	}
	if a4 {
		return a[12] == b[12] && a[13] == b[13] && a[14] == b[14]
	}
	return [6]byte(a[:6]) == [6]byte(b[:6])
}

func find(es []entry, g GUID) int {
	for i := range es {
		if eqGUID(&es[i].guid, &g) {
			return i
		}
	}
	return -1
}

// eqGUID compares two GUIDs word by word, faster than == on [20]byte.
func eqGUID(a, b *GUID) bool {
	return binary.LittleEndian.Uint64(a[0:]) == binary.LittleEndian.Uint64(b[0:]) &&
		binary.LittleEndian.Uint64(a[8:]) == binary.LittleEndian.Uint64(b[8:]) &&
		binary.LittleEndian.Uint32(a[16:]) == binary.LittleEndian.Uint32(b[16:])
}

func subnetCount(es []entry, ip *[16]byte) int {
	n := 0
	for i := range es {
		if sameSubnet(&es[i].ip, ip) {
			n++
		}
	}
	return n
}

// bucketFor returns bucket i, growing the bucket list as needed; a new
// bucket counts as refreshed now.
func (t *Table) bucketFor(i int, now time.Time) *bucket {
	for len(t.buckets) <= i {
		t.buckets = append(t.buckets, bucket{touched: now.UnixNano()})
	}
	return &t.buckets[i]
}

// SeenResult says what Table.Seen did.
type SeenResult struct {
	Added     bool // the peer is new to the table
	NeedProbe bool // the caller should ping Probe and report with ProbeResult
	Probe     Peer
}

// Seen records that p was heard from directly over an authenticated link. A
// known entry moves to the tail and takes p's address. A new one joins its
// bucket if there is room and its subnet has not used its share; otherwise it
// becomes a replacement candidate, and when it is a new candidate and the
// least-recently-seen entry has been silent for ProbeAfter, Seen asks the
// caller to probe that entry.
func (t *Table) Seen(p Peer, now time.Time) SeenResult {
	if p.GUID == t.self || p.GUID.IsZero() || !p.Addr.IsValid() {
		return SeenResult{}
	}
	b := t.bucketFor(t.BucketIndex(p.GUID), now)
	e := toEntry(p, now)
	if i := find(b.live, p.GUID); i >= 0 {
		copy(b.live[i:], b.live[i+1:])
		b.live[len(b.live)-1] = e
		return SeenResult{}
	}
	if subnetCount(b.live, &e.ip) >= t.cfg.PerSubnet {
		return SeenResult{}
	}
	if len(b.live) < t.cfg.K {
		b.live = append(b.live, e)
		t.size++
		return SeenResult{Added: true}
	}
	fresh := b.addReplacement(e, t.cfg.Replacements)
	lrs := &b.live[0]
	if fresh && !b.probing && now.UnixNano()-lrs.seen >= int64(t.cfg.ProbeAfter) {
		b.probing = true
		return SeenResult{NeedProbe: true, Probe: lrs.peer()}
	}
	return SeenResult{}
}

// addReplacement keeps e as the newest candidate; it reports whether e was
// not a candidate already (only a new candidate is worth a probe).
func (b *bucket) addReplacement(e entry, limit int) bool {
	if limit == 0 {
		return false
	}
	fresh := true
	if i := find(b.repl, e.guid); i >= 0 {
		b.repl = append(b.repl[:i], b.repl[i+1:]...)
		fresh = false
	} else if len(b.repl) >= limit {
		b.repl = append(b.repl[:0], b.repl[1:]...)
	}
	b.repl = append(b.repl, e)
	return fresh
}

// ProbeResult reports the outcome of a probe Seen asked for: a live entry
// stays (moved to the tail), a dead one is replaced by the newest candidate.
func (t *Table) ProbeResult(g GUID, alive bool, now time.Time) {
	i := t.BucketIndex(g)
	if i >= len(t.buckets) {
		return
	}
	b := &t.buckets[i]
	b.probing = false
	j := find(b.live, g)
	if j < 0 {
		return
	}
	if alive {
		e := b.live[j]
		e.seen = now.UnixNano()
		copy(b.live[j:], b.live[j+1:])
		b.live[len(b.live)-1] = e
		return
	}
	t.removeAt(b, j)
}

// Remove drops g (a link to it failed) and promotes a replacement candidate.
// It reports whether g was in the table.
func (t *Table) Remove(g GUID) bool {
	i := t.BucketIndex(g)
	if i >= len(t.buckets) {
		return false
	}
	b := &t.buckets[i]
	if j := find(b.repl, g); j >= 0 {
		b.repl = append(b.repl[:j], b.repl[j+1:]...)
	}
	j := find(b.live, g)
	if j < 0 {
		return false
	}
	t.removeAt(b, j)
	return true
}

func (t *Table) removeAt(b *bucket, j int) {
	b.live = append(b.live[:j], b.live[j+1:]...)
	t.size--
	for k := len(b.repl) - 1; k >= 0; k-- {
		c := b.repl[k]
		if subnetCount(b.live, &c.ip) < t.cfg.PerSubnet {
			b.repl = append(b.repl[:k], b.repl[k+1:]...)
			b.live = append(b.live, c)
			t.size++
			return
		}
	}
}

// Get returns the live entry for g.
func (t *Table) Get(g GUID) (Peer, bool) {
	i := t.BucketIndex(g)
	if i >= len(t.buckets) {
		return Peer{}, false
	}
	b := &t.buckets[i]
	if j := find(b.live, g); j >= 0 {
		return b.live[j].peer(), true
	}
	return Peer{}, false
}

// ForEach calls f for every live entry.
func (t *Table) ForEach(f func(Peer)) {
	for i := range t.buckets {
		for j := range t.buckets[i].live {
			f(t.buckets[i].live[j].peer())
		}
	}
}

// touch notes a lookup into target's bucket, which postpones its refresh.
func (t *Table) touch(target GUID, now time.Time) {
	if i := t.BucketIndex(target); i < len(t.buckets) {
		t.buckets[i].touched = now.UnixNano()
	}
}

// stale returns the buckets, up to the deepest one in use, that no lookup
// has touched for age.
func (t *Table) stale(now time.Time, age time.Duration) []int {
	var out []int
	for i := range t.buckets {
		if now.UnixNano()-t.buckets[i].touched >= int64(age) {
			out = append(out, i)
		}
	}
	return out
}

// Closest appends to dst up to n live entries closest to target by XOR
// distance, closest first.
//
// It visits buckets in distance order without sorting the table. With
// b = BucketIndex(target): bucket b is closest (its entries share more than b
// bits with target). Next come the buckets above b, whose entries all differ
// from target first at bit b: among them bucket j precedes every deeper one
// exactly when target and self differ at bit j, which orders them as those j
// ascending, then the others descending. Last come buckets b-1 down to 0.
func (t *Table) Closest(target GUID, n int, dst []Peer) []Peer {
	if n <= 0 || t.size == 0 {
		return dst
	}
	b := t.BucketIndex(target)
	deepest := len(t.buckets) - 1
	if b <= deepest {
		dst = t.appendBucket(dst, b, target, &n)
		for j := b + 1; j <= deepest && n > 0; j++ {
			if bit(target, j) != bit(t.self, j) {
				dst = t.appendBucket(dst, j, target, &n)
			}
		}
		for j := deepest; j > b && n > 0; j-- {
			if bit(target, j) == bit(t.self, j) {
				dst = t.appendBucket(dst, j, target, &n)
			}
		}
	}
	for j := min(b, len(t.buckets)) - 1; j >= 0 && n > 0; j-- {
		dst = t.appendBucket(dst, j, target, &n)
	}
	return dst
}

// appendBucket appends up to *n entries of bucket i, closest to target first.
func (t *Table) appendBucket(dst []Peer, i int, target GUID, n *int) []Peer {
	live := t.buckets[i].live
	if len(live) == 0 {
		return dst
	}
	// Sort by the first 64 bits of the distance, which almost never tie;
	// ties fall back to the full comparison.
	type key struct {
		d uint64
		i uint8
	}
	var buf [32]key
	keys := buf[:0]
	if len(live) > len(buf) {
		keys = make([]key, 0, len(live))
	}
	t0 := binary.BigEndian.Uint64(target[:8])
	for j := range live {
		keys = append(keys, key{binary.BigEndian.Uint64(live[j].guid[:8]) ^ t0, uint8(j)})
	}
	for a := 1; a < len(keys); a++ { // insertion sort: buckets are small
		for c := a; c > 0; c-- {
			x, y := keys[c], keys[c-1]
			if x.d > y.d || (x.d == y.d && !closer(target, live[x.i].guid, live[y.i].guid)) {
				break
			}
			keys[c], keys[c-1] = y, x
		}
	}
	for _, k := range keys {
		if *n == 0 {
			break
		}
		dst = append(dst, live[k.i].peer())
		*n--
	}
	return dst
}
