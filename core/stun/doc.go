// Package stun is tincan's STUN piece on the node's UDP port: a server that
// tells every asker the address its packets came from, a client that asks
// (Binding), and a classifier that names the NAT in front of this node
// (Classify). A Mux owns the reads of the shared UDP socket and sends STUN to
// the server and the client's transactions, and every other packet to the
// handlers registered for it (hole punching, call media).
//
// It must never be an open reflector or an amplifier: a response goes only to
// the source address of the request, and is never larger than the request
// (shorter requests go unanswered); a partner's change-IP probe goes only to
// the IP address the asking peer's authenticated link comes from, one small
// packet per request; every source IP, asker and destination is rate
// limited; and no address named inside a packet is ever sent to at another
// IP than its sender's own.
package stun
