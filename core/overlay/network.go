package overlay

// Network carries overlay messages between nodes.
//
// Send must not block and must not call back into the Node before returning:
// a failed delivery is reported later through Handler.HandleUndeliverable.
// A Peer with a non-zero GUID pins the link: delivering to a node with a
// different GUID (a node key that does not hash to it) is a failed delivery.
// Messages are immutable once sent; a Network may share one among receivers.
//
// A link adapter may send an Observed message when a link opens, telling the
// peer the address its connection came from; nodes also report it in PONG.
type Network interface {
	Send(to Peer, m Message)
}

// Linker is a Network that knows which peers it has a live link to. Linked
// must not block and must not call back into the Node.
type Linker interface {
	Linked(g GUID) bool
}

// Handler receives what a Network delivers. *Node and *Runner implement it.
type Handler interface {
	// HandleMessage handles m from a peer whose GUID the link authenticated.
	// from.Addr must be an address the peer can be reached at (over TCP
	// with reuseport, the address its connection came from), since it may
	// enter the routing table and be handed to other nodes.
	HandleMessage(from Peer, m Message)
	// HandleUndeliverable reports that m could not be delivered to to.
	HandleUndeliverable(to Peer, m Message)
}

func linkerOf(nw Network) Linker {
	l, _ := nw.(Linker)
	return l
}
