// Package natlab builds a NAT lab out of Linux network namespaces: a public
// segment with an entry host, and clients behind kernel NATs of every common
// kind (nftables), so that tincan's connectivity can be measured with real
// processes and real packets. It also probes the NATs with plain sockets to
// show that each behaves as its name says.
//
// It needs root. It must never touch the host's own network: every address it
// uses lives inside namespaces it created (documentation ranges on the public
// side, 10.0.0.0/8 behind the routers), and Close removes every one of them.
package natlab
