package observed

import (
	"net/netip"
	"slices"
	"sync"
	"time"

	"tincan/core/clock"
)

// MaxObservers bounds the peers a Book remembers; the oldest say is dropped.
const MaxObservers = 64

// MaxAge is how long a say counts: a NAT that changed its mind is believed
// again within this long.
const MaxAge = 10 * time.Minute

// maxLatest bounds the hints Latest returns.
const maxLatest = 8

// A Say is one peer's view of our address.
type Say struct {
	Observer string         // who said it: the peer's authenticated key (GUID)
	From     netip.Addr     // the address the peer's packets came from, as we saw it
	Claim    netip.AddrPort // what the peer says our address is
	Inbound  bool           // said on a link the peer dialed: it reached us at Claim
	At       time.Time
}

// Book is the set of sayings. Its methods are safe for concurrent use.
type Book struct {
	clock clock.Clock
	mu    sync.Mutex
	says  []Say // oldest first, one per Observer
}

// New returns an empty Book on c (nil means the real clock).
func New(c clock.Clock) *Book {
	if c == nil {
		c = clock.Real{}
	}
	return &Book{clock: c}
}

// Note records that observer, seen at from, says our address is claim; it
// replaces that observer's earlier say. Invalid claims are ignored.
func (b *Book) Note(observer string, from netip.Addr, claim netip.AddrPort, inbound bool) {
	if observer == "" || !claim.IsValid() || claim.Addr().IsUnspecified() || claim.Port() == 0 {
		return
	}
	s := Say{Observer: observer, From: from.Unmap(), Claim: unmap(claim), Inbound: inbound, At: b.clock.Now()}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.says = slices.DeleteFunc(b.says, func(o Say) bool { return o.Observer == observer })
	if len(b.says) >= MaxObservers {
		b.says = b.says[1:]
	}
	b.says = append(b.says, s)
}

// fresh returns the says younger than MaxAge, oldest first.
func (b *Book) fresh() []Say {
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Say, 0, len(b.says))
	for _, s := range b.says {
		if now.Sub(s.At) < MaxAge {
			out = append(out, s)
		}
	}
	return out
}

// Latest returns the claimed addresses, most recent first, without
// duplicates: hints, each possibly one peer's word.
func (b *Book) Latest() []netip.AddrPort {
	says := b.fresh()
	var out []netip.AddrPort
	for i := len(says) - 1; i >= 0 && len(out) < maxLatest; i-- {
		if !slices.Contains(out, says[i].Claim) {
			out = append(out, says[i].Claim)
		}
	}
	return out
}

// Agreed returns the address (IP and port) the most distinct observers
// claim, if at least two do.
func (b *Book) Agreed() (netip.AddrPort, bool) {
	count := map[netip.AddrPort]int{}
	var best netip.AddrPort
	for _, s := range b.fresh() {
		count[s.Claim]++
		if count[s.Claim] > count[best] || (count[s.Claim] == count[best] && s.Claim.Compare(best) < 0) {
			best = s.Claim
		}
	}
	if count[best] < 2 {
		return netip.AddrPort{}, false
	}
	return best, true
}

// Rule says which observers count toward a confirmed address and how
// observers are told apart.
type Rule struct {
	// Counts reports whether an observer seen at this address may vouch
	// (e.g. it is globally routable: a LAN peer's view of us proves nothing
	// about the internet's).
	Counts func(from netip.Addr) bool
	// Network returns the network an observer belongs to; two observers in
	// one network count once (e.g. the /16 of an IPv4 address).
	Network func(from netip.Addr) netip.Prefix
	// Port, if not 0, is the only port a claim may name (the port others
	// must reach us on).
	Port uint16
}

// Confirmed returns the IP that observers in at least two different
// networks reached us at (on links they dialed) and agree on, under r.
// One peer, or many in one network, never confirm anything.
func (b *Book) Confirmed(r Rule) (netip.Addr, bool) {
	nets := map[netip.Addr]map[netip.Prefix]bool{}
	var best netip.Addr
	for _, s := range b.fresh() {
		if !s.Inbound || !s.From.IsValid() || r.Counts == nil || !r.Counts(s.From) || (r.Port != 0 && s.Claim.Port() != r.Port) {
			continue
		}
		ip := s.Claim.Addr()
		if nets[ip] == nil {
			nets[ip] = map[netip.Prefix]bool{}
		}
		nets[ip][r.Network(s.From)] = true
		if len(nets[ip]) > len(nets[best]) || (len(nets[ip]) == len(nets[best]) && ip.Compare(best) < 0) {
			best = ip
		}
	}
	if len(nets[best]) < 2 {
		return netip.Addr{}, false
	}
	return best, true
}

func unmap(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()) }
