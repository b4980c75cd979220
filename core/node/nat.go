package node

// natStatus is what the node knows of its NAT, or nil before it knows.
func (n *Node) natStatus() *NATStatus {
	m := n.mappings()
	if len(m) == 0 {
		return nil
	}
	return &NATStatus{Type: "unknown", Mapped: m}
}
