package overlay

import (
	"time"
)

// rpc is a request waiting for its response. A lookup's requests carry the
// lookup itself rather than closures, which keeps the simulator's many
// thousands of requests in flight cheap.
type rpc struct {
	to       Peer
	deadline int64 // Unix nanoseconds
	l        *lookup
	depth    uint8
	onReply  func(from Peer, m Message)
	onFail   func()
}

func (n *Node) newID() uint64 {
	n.nextID++
	return n.nextID
}

// call sends req (whose ID is id) and arranges for exactly one of onReply
// or onFail (either may be nil) to run later: on the response, or on a
// failed delivery or RPCTimeout. One sweep timer serves all pending requests.
func (n *Node) call(to Peer, id uint64, req Message, onReply func(Peer, Message), onFail func()) {
	n.pend(id, rpc{to: to, onReply: onReply, onFail: onFail}, req)
}

func (n *Node) pend(id uint64, r rpc, req Message) {
	r.deadline = n.now().Add(n.p.RPCTimeout).UnixNano()
	n.rpcIDs = append(n.rpcIDs, id)
	n.rpcs = append(n.rpcs, r)
	n.armSweep(n.p.RPCTimeout)
	n.send(r.to, req)
}

// take removes and returns the pending request with the given ID.
func (n *Node) take(id uint64) (rpc, bool) {
	for i, x := range n.rpcIDs {
		if x == id {
			r := n.rpcs[i]
			last := len(n.rpcIDs) - 1
			n.rpcIDs[i], n.rpcs[i] = n.rpcIDs[last], n.rpcs[last]
			n.rpcs[last] = rpc{}
			n.rpcIDs, n.rpcs = n.rpcIDs[:last], n.rpcs[:last]
			if last == 0 && cap(n.rpcs) > 16 {
				n.rpcIDs, n.rpcs = nil, nil // a join's burst is over: give the memory back
			}
			return r, true
		}
	}
	return rpc{}, false
}

// pending returns the request with the given ID without removing it.
func (n *Node) pending(id uint64) (*rpc, bool) {
	for i, x := range n.rpcIDs {
		if x == id {
			return &n.rpcs[i], true
		}
	}
	return nil, false
}

// resolve hands a response to its request, if it came from the node asked.
func (n *Node) resolve(from Peer, id uint64, m Message) {
	p, ok := n.pending(id)
	if !ok || (!p.to.GUID.IsZero() && p.to.GUID != from.GUID) {
		return
	}
	r, _ := n.take(id)
	switch {
	case r.l != nil:
		r.l.answered(r.to.GUID, r.depth, m)
	case r.onReply != nil:
		r.onReply(from, m)
	}
}

// fail removes a request whose link failed or whose time ran out.
func (n *Node) fail(id uint64) {
	r, ok := n.take(id)
	if !ok {
		return
	}
	n.forget(r.to.GUID)
	switch {
	case r.l != nil:
		r.l.failed(r.to.GUID)
	case r.onFail != nil:
		r.onFail()
	}
}

func (n *Node) armSweep(d time.Duration) {
	if n.sweepArmed || len(n.rpcs) == 0 {
		return
	}
	n.sweepArmed = true
	n.clock.AfterFunc(max(d, time.Millisecond), n.sweepFn)
}

// sweepRPCs fails every request past its deadline and re-arms for the
// earliest one left.
func (n *Node) sweepRPCs() {
	n.sweepArmed = false
	now := n.now().UnixNano()
	var expired []uint64
	for i := range n.rpcs {
		if n.rpcs[i].deadline <= now {
			expired = append(expired, n.rpcIDs[i])
		}
	}
	for _, id := range expired {
		n.fail(id)
	}
	if len(n.rpcs) == 0 {
		return
	}
	earliest := n.rpcs[0].deadline
	for i := range n.rpcs {
		earliest = min(earliest, n.rpcs[i].deadline)
	}
	n.armSweep(time.Duration(earliest - now))
}
