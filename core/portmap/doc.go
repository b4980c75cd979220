// Package portmap asks the home router to forward a port to this host, by
// PCP (RFC 6887, MAP), NAT-PMP (RFC 6886) or UPnP-IGD (WANIPConnection:1/2,
// WANPPPConnection:1), keeps the forwarding renewed while the node runs and
// removes it on stop, so that peers can reach the node at its "mapped"
// public address.
//
// It must never send anything anywhere but the local gateway (the LAN's
// router) and the SSDP multicast group on the LAN, and it treats a network
// without a mapping router (most networks) as normal, not as an error.
// Every exchange has a timeout and every answer read has a size limit.
//
// All network I/O happens on the goroutine that calls Keeper.Run, so a
// caller that runs it inside a Linux network namespace keeps it there.
package portmap
