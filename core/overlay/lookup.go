package overlay

// LookupResult is the outcome of an iterative lookup.
type LookupResult struct {
	Target  GUID
	Closest []Peer // up to K nodes closest to Target that answered, closest first
	Hops    int    // the longest chain of referrals that led to one of Closest
	Queries int    // requests sent
	Found   bool   // a value lookup found a record it accepted
}

// Candidate states in a lookup.
const (
	candFresh uint8 = iota
	candAsked
	candAnswered
	candFailed
)

type cand struct {
	peer  Peer
	depth uint8 // 1 for our own contacts, d+1 for those a depth-d node named
	state uint8
}

// lookup is one iterative FIND_NODE or FIND_VALUE: Alpha requests in flight
// toward the closest candidates not yet asked, until the K closest that did
// not fail have all answered (or, for a value, a record is accepted).
type lookup struct {
	n        *Node
	target   GUID
	value    bool
	accept   func([]Record) bool
	stop     func() bool // ends the lookup early once it holds
	done     func(LookupResult)
	cands    []cand // closest first, at most 3K
	inflight int
	queries  int
	finished bool
}

// Lookup finds the K nodes closest to target; done gets the result.
func (n *Node) Lookup(target GUID, done func(LookupResult)) {
	n.startLookup(target, false, nil, done)
}

func (n *Node) startLookup(target GUID, value bool, accept func([]Record) bool, done func(LookupResult)) {
	n.runLookup(&lookup{n: n, target: target, value: value, accept: accept, done: done})
}

func (n *Node) runLookup(l *lookup) {
	target := l.target
	n.table.touch(target, n.now())
	for _, p := range n.table.Closest(target, n.p.K, make([]Peer, 0, n.p.K)) {
		l.cands = append(l.cands, cand{peer: p, depth: 1})
	}
	l.step()
}

func (l *lookup) index(g GUID) int {
	for i := range l.cands {
		if eqGUID(&l.cands[i].peer.GUID, &g) {
			return i
		}
	}
	return -1
}

// step sends requests while fewer than Alpha are in flight, and finishes
// once the K closest live candidates have all answered.
func (l *lookup) step() {
	if l.finished {
		return
	}
	if l.stop != nil && l.stop() {
		l.finish(false)
		return
	}
	k, alpha := l.n.p.K, l.n.p.Alpha
	active, pending := 0, false
	for i := 0; i < len(l.cands) && active < k; i++ {
		c := &l.cands[i]
		switch c.state {
		case candFailed:
			continue
		case candFresh:
			pending = true
			if l.inflight < alpha {
				l.query(i)
			}
		case candAsked:
			pending = true
		}
		active++
	}
	if !pending {
		l.finish(false)
	}
}

func (l *lookup) query(i int) {
	c := &l.cands[i]
	c.state = candAsked
	l.inflight++
	l.queries++
	n := l.n
	id := n.newID()
	var req Message
	if l.value {
		req = &FindValue{ID: id, Key: l.target}
	} else {
		req = &FindNode{ID: id, Target: l.target}
	}
	n.pend(id, rpc{to: c.peer, l: l, depth: c.depth}, req)
}

func (l *lookup) answered(g GUID, depth uint8, m Message) {
	l.inflight--
	if l.finished {
		return
	}
	i := l.index(g)
	var peers []Peer
	switch m := m.(type) {
	case *Nodes:
		peers = m.Peers
	case *Value:
		if l.value && len(m.Records) > 0 && l.accept(m.Records) {
			if i >= 0 {
				l.cands[i].state = candAnswered
			}
			l.finish(true)
			return
		}
		peers = m.Peers
	default:
		if i >= 0 {
			l.cands[i].state = candFailed
		}
		l.step()
		return
	}
	if i >= 0 {
		l.cands[i].state = candAnswered
	}
	for _, p := range peers {
		l.add(p, depth+1)
	}
	l.step()
}

func (l *lookup) failed(g GUID) {
	l.inflight--
	if i := l.index(g); i >= 0 {
		l.cands[i].state = candFailed
	}
	l.step()
}

// add inserts a newly named node in distance order, keeping at most 3K.
func (l *lookup) add(p Peer, depth uint8) {
	if p.GUID.IsZero() || p.GUID == l.n.self || !p.Addr.IsValid() || l.index(p.GUID) >= 0 {
		return
	}
	limit := 3 * l.n.p.K
	pos := len(l.cands)
	for pos > 0 && closer(l.target, p.GUID, l.cands[pos-1].peer.GUID) {
		pos--
	}
	if pos >= limit {
		return
	}
	l.cands = append(l.cands, cand{})
	copy(l.cands[pos+1:], l.cands[pos:])
	l.cands[pos] = cand{peer: p, depth: depth}
	if len(l.cands) > limit {
		l.cands = l.cands[:limit]
	}
}

func (l *lookup) finish(found bool) {
	l.finished = true
	res := LookupResult{Target: l.target, Queries: l.queries, Found: found}
	for i := range l.cands {
		c := &l.cands[i]
		if c.state != candAnswered {
			continue
		}
		if len(res.Closest) >= l.n.p.K {
			break
		}
		res.Closest = append(res.Closest, c.peer)
		res.Hops = max(res.Hops, int(c.depth))
	}
	if l.done != nil {
		l.done(res)
	}
}
