package overlay

import "time"

// A set-up request from a user who is not (yet) a contact gets no answer.
// Often the two users are adding each other at that very moment: the
// request is held for a short while, and answered if the user is added
// before the asker gives up (Node.Reconsider).
const (
	heldRequests = 16
	holdFor      = 4 * time.Second // under the asker's SetupTimeout
)

// heldRequest is one unanswered set-up request.
type heldRequest struct {
	h    *hello
	prev Peer
	via  Via
	at   time.Time
}

// hold keeps a request that accept refused; the oldest goes when full.
func (n *Node) hold(h *hello, prev Peer, via Via) {
	if len(n.held) >= heldRequests {
		n.held = n.held[1:]
	}
	n.held = append(n.held, heldRequest{h: h, prev: prev, via: via, at: n.now()})
}

// Reconsider answers the held requests that accept now takes (after the
// contact list changed), and drops the stale ones.
func (n *Node) Reconsider() {
	u := n.user
	keep := n.held[:0]
	for _, r := range n.held {
		switch {
		case n.now().Sub(r.at) > holdFor:
		case u != nil && (n.accept == nil || n.accept(r.h.From)):
			n.answer(u, r.h, r.prev, r.via)
		default:
			keep = append(keep, r)
		}
	}
	clear(n.held[len(keep):])
	n.held = keep
}
