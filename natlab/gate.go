package natlab

// AwaitsExternalPort reports whether a pair that ExpectDirect says can be
// direct is, for now, allowed to fall back to a relay: a port-changing NAT
// on one side and a port-restricted or port-changing one on the other (with
// a full cone, an address-restricted cone or a reachable node it is
// already direct: make natlab, 2026-12-06). Such a pair
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
	return a.portRestrictedCone() && b.portRestrictedCone()
}
