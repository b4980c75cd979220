package natlab

// AwaitsExternalPort reports whether a pair that ExpectDirect says can be
// direct is, for now, allowed to fall back to a relay: a port-changing NAT
// on one side, and no side reachable at a fixed public port. Such a pair
// can punch only once a node learns the port its NAT maps its listen port
// to and offers that (issue 11, "the real external port"); until the node
// does, tincan-natlab reports these pairs on a line of their own instead
// of failing on them. Remove this gate (make it return false, and delete
// it and its callers in cmd/tincan-natlab) when the node learns its
// external port.
func AwaitsExternalPort(a, b Kind) bool {
	if a != PortChanging && b != PortChanging {
		return false
	}
	return ExpectDirect(a, b) && !a.reachable() && !b.reachable()
}
