package link

import (
	"bytes"
	"slices"

	"tincan/core/overlay"
)

// SetServesRelay sets whether this node announces, in the hello of each link
// made from now on, that it splices streams for other nodes. Links already
// open keep what they announced.
func (n *Net) SetServesRelay(on bool) { n.servesRelay.Store(on) }

// ServesRelay reports what new links announce: SetServesRelay's last value,
// or Config.ServesRelay.
func (n *Net) ServesRelay() bool { return n.servesRelay.Load() }

// Relays returns the peers that can relay for this node: those with an
// outbound link in use (this node dialed them, so their address is known to
// work from outside) whose hello announced that they serve relays. Each
// comes with the address it was dialed at. Inbound links never count, even
// from peers that serve relays: their advertised address is unproven. The
// list is ordered by GUID.
func (n *Net) Relays() []overlay.Peer {
	n.mu.Lock()
	var out []overlay.Peer
	for _, l := range n.byGUID {
		if !l.inbound && l.flags&flagServesRelay != 0 && l.addr.IsValid() {
			out = append(out, l.peerInfo())
		}
	}
	n.mu.Unlock()
	slices.SortFunc(out, func(a, b overlay.Peer) int { return bytes.Compare(a.GUID[:], b.GUID[:]) })
	return out
}
