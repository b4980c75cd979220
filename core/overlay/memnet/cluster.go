package memnet

import (
	"crypto/ed25519"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"tincan/core/overlay"
)

// Cluster is a population of real overlay nodes on a Sim, each with a user
// whose public key is a counting StandInKey.
type Cluster struct {
	Sim     *Sim
	Params  overlay.Params
	Members []*Member
	live    []*Member // joined and alive, in no particular order
	// OnIncoming, when set, is told of every set-up request any member answers.
	OnIncoming func(m *Member, in overlay.Incoming)
}

// Member is one node of a Cluster and its user.
type Member struct {
	Index    int
	Node     *overlay.Node // nil once killed
	Host     *Host
	Peer     overlay.Peer
	Key      *StandInKey
	User     overlay.User
	Joined   bool
	JoinedAt time.Time
	Dead     bool
	livePos  int // index in Cluster.live while joined
}

// NewCluster returns an empty cluster on sim.
func NewCluster(sim *Sim, p overlay.Params) *Cluster { return &Cluster{Sim: sim, Params: p} }

// Spawn creates a member with a fresh node key, a random public IPv4
// address and a fresh user. It has not joined.
func (c *Cluster) Spawn() (*Member, error) {
	r := c.Sim.Rand()
	var seed [ed25519.SeedSize]byte
	for i := range seed {
		seed[i] = byte(r.Uint32())
	}
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	m := &Member{Index: len(c.Members), Key: NewStandInKey(r.Uint64())}
	m.Peer.GUID = overlay.GUIDOf(pub)
	for {
		first := byte(1 + r.IntN(223))
		if first == 10 || first == 127 || first == 100 || first == 172 || first == 192 {
			continue
		}
		ip := netip.AddrFrom4([4]byte{first, byte(r.Uint32()), byte(r.Uint32()), byte(1 + r.IntN(254))})
		m.Peer.Addr = netip.AddrPortFrom(ip, 7700)
		if !c.Sim.InUse(m.Peer.Addr) {
			break
		}
	}
	for i := range m.User.SecretID {
		m.User.SecretID[i] = byte(r.Uint32())
	}
	for i := range m.User.Fingerprint {
		m.User.Fingerprint[i] = byte(r.Uint32())
	}
	m.User.Opener = m.Key
	host, err := c.Sim.AddHost(m.Peer)
	if err != nil {
		return nil, err
	}
	m.Host = host
	u := m.User
	node, err := overlay.NewNode(overlay.Config{
		GUID:    m.Peer.GUID,
		Addrs:   []netip.AddrPort{m.Peer.Addr},
		Network: host,
		Clock:   host,
		Rand:    c.Sim.Reader(),
		Params:  c.Params,
		User:    &u,
		OnIncoming: func(in overlay.Incoming) {
			if c.OnIncoming != nil {
				c.OnIncoming(m, in)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("spawn: %w", err)
	}
	m.Node = node
	host.Attach(node)
	c.Members = append(c.Members, m)
	return m, nil
}

// Join starts m's join through up to n random joined members; done (may be
// nil) gets the result. The bootstrap members count as joined already.
func (c *Cluster) Join(m *Member, n int, done func(error)) {
	var addrs []netip.AddrPort
	for _, b := range c.RandomLive(n, func(b *Member) bool { return b.Joined && b != m }) {
		addrs = append(addrs, b.Peer.Addr)
	}
	m.Node.Join(addrs, func(err error) {
		if err == nil && !m.Dead && !m.Joined {
			c.markJoined(m)
		}
		if done != nil {
			done(err)
		}
	})
}

// Grow spawns n members and has them join one every spacing, each through
// 3 random members already in; it runs the sim until all have joined. The
// first member of an empty cluster counts as joined on its own.
func (c *Cluster) Grow(n int, spacing time.Duration) error {
	var firstErr error
	pending := 0
	for i := 0; i < n; i++ {
		m, err := c.Spawn()
		if err != nil {
			return err
		}
		if len(c.Members) == 1 {
			c.markJoined(m)
			m.Node.Join(nil, func(error) {})
			continue
		}
		pending++
		c.Sim.After(time.Duration(i)*spacing, func() {
			c.Join(m, 3, func(err error) {
				pending--
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("member %d: %w", m.Index, err)
				}
			})
		})
	}
	for pending > 0 && !c.Sim.Idle() {
		c.Sim.RunFor(time.Second)
	}
	if pending > 0 {
		return fmt.Errorf("grow: %d joins never finished", pending)
	}
	return firstErr
}

func (c *Cluster) markJoined(m *Member) {
	m.Joined, m.JoinedAt = true, c.Sim.Now()
	m.livePos = len(c.live)
	c.live = append(c.live, m)
}

// Kill takes m off the network for good.
func (c *Cluster) Kill(m *Member) {
	if m.Joined {
		last := c.live[len(c.live)-1]
		c.live[m.livePos], last.livePos = last, m.livePos
		c.live = c.live[:len(c.live)-1]
	}
	m.Dead = true
	m.Joined = false
	m.Host.Kill()
	m.Node = nil
}

// Live returns the members that are alive and joined, in index order.
func (c *Cluster) Live() []*Member {
	out := slices.Clone(c.live)
	slices.SortFunc(out, func(a, b *Member) int { return a.Index - b.Index })
	return out
}

// NumLive returns how many members are alive and joined.
func (c *Cluster) NumLive() int { return len(c.live) }

// RandomLive returns up to n distinct random live, joined members for which
// ok (nil: any) holds.
func (c *Cluster) RandomLive(n int, ok func(*Member) bool) []*Member {
	r := c.Sim.Rand()
	var out []*Member
	for tries := 0; len(out) < n && tries < 64*n && len(c.live) > 0; tries++ {
		m := c.live[r.IntN(len(c.live))]
		if (ok != nil && !ok(m)) || slices.Contains(out, m) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// TrueClosest returns the k live, joined members closest to target, by
// brute force.
func (c *Cluster) TrueClosest(target overlay.GUID, k int) []overlay.GUID {
	best := make([]overlay.GUID, 0, k+1)
	for _, m := range c.live {
		g := m.Peer.GUID
		if len(best) == k && overlay.CompareDistance(target, g, best[k-1]) >= 0 {
			continue
		}
		i := len(best)
		for i > 0 && overlay.CompareDistance(target, g, best[i-1]) < 0 {
			i--
		}
		best = slices.Insert(best, i, g)
		if len(best) > k {
			best = best[:k]
		}
	}
	return best
}

// Request returns the ConnectRequest another member's user would make to
// reach m's user.
func (m *Member) Request(mode overlay.Mode) overlay.ConnectRequest {
	return overlay.ConnectRequest{SecretID: m.User.SecretID, Sealer: m.Key, Mode: mode}
}
