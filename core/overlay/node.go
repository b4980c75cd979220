package overlay

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"time"
	"tincan/core/observed"
)

// User is the local user as the overlay sees it: what it needs to answer set-up
// requests addressed to the user. A node without a user answers nothing.
type User struct {
	SecretID    SecretID    // the current secret ID; requests for any other get no answer
	Opener      Opener      // opens flood envelopes; nil never tries
	Fingerprint Fingerprint // told to the contacts this node reaches
}

// Config builds a Node.
type Config struct {
	GUID  GUID             // hash of this node's key (GUIDOf)
	Addrs []netip.AddrPort // addresses this node listens on: its own candidates
	// Extra returns more candidates known now (external addresses peers
	// observed, a port the router maps). It is called under the node's
	// lock, so it must only read memory. Nil: none.
	Extra   func() []netip.AddrPort
	Network Network
	Clock   Clock
	Rand    io.Reader    // nil means crypto/rand; a simulator passes a seeded stream
	Logger  *slog.Logger // nil discards
	Params  Params
	User    *User
	// Accept decides whether to answer a set-up request from a user; nil
	// answers everyone who knows the secret ID.
	Accept func(from Fingerprint) bool
	// OnIncoming is told of each answered set-up request. It runs inside
	// message handling and must not block.
	OnIncoming func(Incoming)
	// OnProbe is told of a peer's ProbeRequest. It runs inside the node's
	// lock, so it must not block or call back into the node. Nil: ignored.
	OnProbe func(from Peer, m *ProbeRequest)
	// Relays, if set, returns the relay addresses this node can be reached
	// through, offered in its set-up requests and answers. It is called
	// inside the node's exclusion (a Runner's mutex) each time one is
	// built, so it must only read memory the caller keeps current: no I/O,
	// no waiting, and no calls back into the Node or Runner. Only the first
	// MaxRelays valid addresses (port not 0) are sent.
	Relays func() []netip.AddrPort
	// Observations is where what peers say our address is goes (Pong and
	// Observed messages); nil means a book of the node's own. The link
	// layer writes its hellos' says into the same book.
	Observations *observed.Book
}

// Incoming is a set-up request this node answered: who asked, and where the
// asking node can be reached.
type Incoming struct {
	From       Fingerprint
	GUID       GUID
	Candidates []netip.AddrPort
	Relays     []netip.AddrPort // relays the asking node offered; nil if none
	Via        Via
}

// Stats counts what a node did; the simulator sums them.
type Stats struct {
	TrialDecrypts   uint64 // flood envelopes tried with the user's private key
	FloodsForwarded uint64 // distinct floods forwarded
	Stale           uint64 // floods and connects dropped as too old or too new
	Replayed        uint64 // floods and connects dropped as already seen
	RateLimited     uint64 // floods dropped by a link's rate limit
	Answered        uint64 // set-up requests answered as the receiver
	Rejected        uint64 // set-up requests that opened but were not for the current user
	DeadEnds        uint64 // connects that found no closer node to go to
}

// ErrNoBootstrap means no bootstrap address answered and the table is empty.
var ErrNoBootstrap = errors.New("overlay: no bootstrap node answered")

// Node is one overlay node. It is not safe for concurrent use: the caller
// delivers messages, timer callbacks and API calls one at a time (memnet's
// event loop, or a Runner's mutex). Callbacks passed to its methods run
// inside that exclusion and may run before the method returns.
type Node struct {
	p          Params
	self       GUID
	addrs      []netip.AddrPort
	extra      func() []netip.AddrPort
	net        Network
	linker     Linker        // nil: the Network does not say
	held       []heldRequest // refused set-up requests, for Reconsider
	clock      Clock
	rand       io.Reader
	log        *slog.Logger
	accept     func(Fingerprint) bool
	onIncoming func(Incoming)
	onProbe    func(Peer, *ProbeRequest)
	relaysFn   func() []netip.AddrPort

	table      *Table
	recent     *lru[GUID, Peer]             // recently contacted hosts
	setupCache *lru[SecretID, cachedResult] // recent set-up results, for bursts

	user    *User
	connKey []byte // connectKey(user.SecretID)

	rpcIDs     []uint64 // pending requests: IDs, and beside them
	rpcs       []rpc    // the requests
	nextID     uint64
	sweepArmed bool
	sweepFn    func()

	seen      map[Nonce]seenEntry // floods and connects seen, with their reverse path
	seenSweep int
	limiters  map[GUID]tokenBucket

	records recordStore
	setups  map[Nonce]*setup
	book    *observed.Book

	joined      bool
	maintaining bool
	stats       Stats
}

// NewNode returns a node that has not joined yet.
func NewNode(cfg Config) (*Node, error) {
	if cfg.GUID.IsZero() {
		return nil, errors.New("new node: zero GUID")
	}
	if cfg.Network == nil || cfg.Clock == nil {
		return nil, errors.New("new node: Network and Clock are required")
	}
	n := &Node{
		p:          cfg.Params.withDefaults(),
		self:       cfg.GUID,
		addrs:      append([]netip.AddrPort(nil), cfg.Addrs...),
		extra:      cfg.Extra,
		net:        cfg.Network,
		linker:     linkerOf(cfg.Network),
		clock:      cfg.Clock,
		rand:       cfg.Rand,
		log:        cfg.Logger,
		accept:     cfg.Accept,
		onIncoming: cfg.OnIncoming,
		onProbe:    cfg.OnProbe,
		relaysFn:   cfg.Relays,
		book:       cfg.Observations,
	}
	if n.book == nil {
		n.book = observed.New(cfg.Clock)
	}
	if n.rand == nil {
		n.rand = rand.Reader
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	n.log = n.log.With("node", n.self.Short())
	n.table = NewTable(n.self, TableConfig{K: n.p.K, PerSubnet: n.p.PerSubnet,
		Replacements: n.p.Replacements, ProbeAfter: n.p.ProbeAfter})
	n.recent = newLRU[GUID, Peer](n.p.RecentSize)
	n.setupCache = newLRU[SecretID, cachedResult](n.p.RecentSize)
	n.records = recordStore{maxPerKey: n.p.MaxPerKey, maxTotal: n.p.MaxStored, grace: n.p.StoreGrace, sweepAt: 64}
	n.sweepFn = n.sweepRPCs
	n.nextID = n.randUint64() >> 1
	n.SetUser(cfg.User)
	return n, nil
}

// GUID returns the node's GUID.
func (n *Node) GUID() GUID { return n.self }

// Table returns the routing table, for reading under the node's exclusion.
func (n *Node) Table() *Table { return n.table }

// Stats returns the node's counters.
func (n *Node) Stats() Stats { return n.stats }

// Joined reports whether Join has completed.
func (n *Node) Joined() bool { return n.joined }

// StoredRecords returns how many rendezvous records the node holds for others.
func (n *Node) StoredRecords() int { return n.records.len() }

// SetUser changes the local user; rotating the secret ID here makes the
// contacts who know only the old one unable to reach this node. nil makes
// the node answer nothing.
func (n *Node) SetUser(u *User) {
	if u == nil {
		n.user, n.connKey = nil, nil
		return
	}
	cp := *u
	n.user = &cp
	n.connKey = connectKey(cp.SecretID)
}

// Candidates returns the addresses this node can be reached at: its listen
// addresses and the external address its peers agree they see.
func (n *Node) Candidates() []netip.AddrPort {
	out := make([]netip.AddrPort, 0, len(n.addrs)+1)
	add := func(a netip.AddrPort) {
		if len(out) < MaxCandidates && a.IsValid() && a.Port() != 0 && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, a := range n.addrs {
		add(a)
	}
	if n.extra != nil {
		for _, a := range n.extra() {
			add(a)
		}
	}
	if a, ok := n.bestObserved(); ok {
		add(a)
	}
	return out
}

// relays returns the relays to offer in a hello or reply: the first
// MaxRelays valid addresses Config.Relays gives, without duplicates.
func (n *Node) relays() []netip.AddrPort {
	if n.relaysFn == nil {
		return nil
	}
	var out []netip.AddrPort
	for _, a := range n.relaysFn() {
		if len(out) == MaxRelays {
			break
		}
		if a.IsValid() && a.Port() != 0 && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func (n *Node) now() time.Time { return n.clock.Now() }

func (n *Node) randBytes(b []byte) {
	if _, err := io.ReadFull(n.rand, b); err != nil {
		panic(fmt.Sprintf("overlay: random source failed: %v", err))
	}
}

func (n *Node) randUint64() uint64 {
	var b [8]byte
	n.randBytes(b[:])
	return binary.BigEndian.Uint64(b[:])
}

func (n *Node) randGUID() (g GUID) {
	n.randBytes(g[:])
	return g
}

func (n *Node) newNonce() (x Nonce) {
	n.randBytes(x[:])
	return x
}

func (n *Node) send(to Peer, m Message) { n.net.Send(to, m) }

// HandleMessage handles one message from a peer whose GUID the link
// authenticated.
func (n *Node) HandleMessage(from Peer, m Message) {
	if from.GUID.IsZero() || from.GUID == n.self {
		return
	}
	if m.Type() != TypeFlood { // a flood comes over every link at once: not news of a peer
		n.touch(from)
	}
	switch m := m.(type) {
	case *Ping:
		n.send(from, &Pong{ID: m.ID, Observed: from.Addr})
	case *Pong:
		n.vote(from, m.Observed)
		n.resolve(from, m.ID, m)
	case *FindNode:
		n.send(from, &Nodes{ID: m.ID, Peers: n.table.Closest(m.Target, n.p.K, make([]Peer, 0, n.p.K))})
	case *Nodes:
		n.resolve(from, m.ID, m)
	case *FindValue:
		n.send(from, &Value{ID: m.ID, Records: n.records.get(m.Key, n.now()),
			Peers: n.table.Closest(m.Key, n.p.K, make([]Peer, 0, n.p.K))})
	case *Value:
		n.resolve(from, m.ID, m)
	case *Store:
		n.records.put(m.Record, from.GUID, n.now())
		n.send(from, &Stored{ID: m.ID})
	case *Stored:
		n.resolve(from, m.ID, m)
	case *PeerExchange:
		n.send(from, &Nodes{ID: m.ID, Peers: n.samplePeers(n.p.K, from.GUID)})
	case *Observed:
		n.vote(from, m.Addr)
	case *ProbeRequest:
		if n.onProbe != nil {
			n.onProbe(from, m)
		}
	case *Flood:
		n.handleFlood(from, m)
	case *FloodAnswer:
		n.handleAnswer(m, m.Nonce, m.Sealed)
	case *Connect:
		n.handleConnect(from, m)
	case *ConnectAnswer:
		n.handleAnswer(m, m.Nonce, m.Sealed)
	}
}

// HandleUndeliverable handles a message the network could not deliver: the
// link to to is gone, so to leaves the table.
func (n *Node) HandleUndeliverable(to Peer, m Message) {
	if id, ok := requestID(m); ok {
		if r, ok := n.pending(id); ok && r.to.GUID == to.GUID {
			n.fail(id)
		}
		return
	}
	n.forget(to.GUID)
	if c, ok := m.(*Connect); ok {
		n.rerouteConnect(c)
	}
}

// touch records a direct contact with p, probing a full bucket's oldest
// entry when the table asks for it.
func (n *Node) touch(p Peer) {
	res := n.table.Seen(p, n.now())
	if !res.NeedProbe {
		return
	}
	probe := res.Probe
	id := n.newID()
	n.call(probe, id, &Ping{ID: id},
		func(Peer, Message) { n.table.ProbeResult(probe.GUID, true, n.now()) },
		func() { n.table.ProbeResult(probe.GUID, false, n.now()) })
}

// forget drops a peer whose link failed.
func (n *Node) forget(g GUID) {
	if g.IsZero() {
		return
	}
	n.table.Remove(g)
	n.recent.remove(g)
}

// samplePeers returns up to k random table entries other than not.
func (n *Node) samplePeers(k int, not GUID) []Peer {
	all := make([]Peer, 0, n.table.Len())
	n.table.ForEach(func(p Peer) {
		if p.GUID != not {
			all = append(all, p)
		}
	})
	for i := 0; i < len(all) && i < k; i++ {
		j := i + int(n.randUint64()%uint64(len(all)-i))
		all[i], all[j] = all[j], all[i]
	}
	return all[:min(k, len(all))]
}

// vote records from's say about our address: one say per peer, so a peer
// repeating itself never makes agreement.
func (n *Node) vote(from Peer, a netip.AddrPort) {
	n.book.Note(from.GUID.String(), from.Addr.Addr(), a, false)
}

// bestObserved returns the address most peers report, if at least two agree.
func (n *Node) bestObserved() (netip.AddrPort, bool) { return n.book.Agreed() }
