package overlay

import "net/netip"

// Join enters the overlay through the given bootstrap addresses: it pings
// them (learning their GUIDs), looks up its own GUID, then refreshes every
// bucket farther than its closest neighbour that is not yet full. done gets
// nil once the node is in, or ErrNoBootstrap. Either way the node then keeps
// its table fresh and (with a user) announces its rendezvous records, so the
// first node of a network, which has no one to join, still serves the
// nodes that join through it.
func (n *Node) Join(addrs []netip.AddrPort, done func(error)) {
	pending, answered := 0, 0
	proceed := func() {
		if answered == 0 && n.table.Len() == 0 {
			n.startMaintenance()
			done(ErrNoBootstrap)
			return
		}
		n.Lookup(n.self, func(LookupResult) {
			n.refreshFar(func() {
				n.joined = true
				n.startMaintenance()
				done(nil)
			})
		})
	}
	for _, a := range addrs {
		if !a.IsValid() || n.isOwnAddr(a) {
			continue
		}
		pending++
		id := n.newID()
		n.call(Peer{Addr: a}, id, &Ping{ID: id},
			func(Peer, Message) {
				answered++
				if pending--; pending == 0 {
					proceed()
				}
			},
			func() {
				if pending--; pending == 0 {
					proceed()
				}
			})
	}
	if pending == 0 {
		proceed()
	}
}

func (n *Node) isOwnAddr(a netip.AddrPort) bool {
	for _, b := range n.addrs {
		if a == b {
			return true
		}
	}
	return false
}

// refreshFar looks up a random GUID in each bucket between the root and the
// closest neighbour's bucket that has fewer than K entries, then calls done.
func (n *Node) refreshFar(done func()) {
	near := n.table.Closest(n.self, 1, nil)
	if len(near) == 0 {
		done()
		return
	}
	limit := n.table.BucketIndex(near[0].GUID)
	var buckets []int
	for i := 0; i < limit; i++ {
		if n.table.BucketLen(i) < n.p.K {
			buckets = append(buckets, i)
		}
	}
	n.refresh(buckets, done)
}

// refresh fills the given buckets in parallel, each by a lookup of a random
// GUID in it that stops once the bucket is full, and calls done (if not
// nil) after the last one.
func (n *Node) refresh(buckets []int, done func()) {
	left := len(buckets)
	if left == 0 {
		if done != nil {
			done()
		}
		return
	}
	for _, i := range buckets {
		n.runLookup(&lookup{n: n, target: InBucket(n.self, i, n.randGUID()),
			stop: func() bool { return n.table.BucketLen(i) >= n.p.K },
			done: func(LookupResult) {
				if left--; left == 0 && done != nil {
					done()
				}
			}})
	}
}
