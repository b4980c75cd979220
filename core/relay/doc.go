// Package relay lets two tincan peers that cannot reach each other directly
// (both behind symmetric NATs) meet on a third, reachable node that splices
// their two TCP connections together.
//
// # Protocol
//
// Each peer dials the relay node's one TCP port and writes, in one go:
//
//	'R'                  Prefix: the node's mux hands the connection to Server.Handle
//	't' 'r'              magic
//	0x01                 version
//	0x00                 flags, reserved: must be zero
//	token [32]byte       computed by both peers independently; opaque to the relay
//
// The request is a fixed 36 bytes after the prefix and must arrive within
// Config.RequestTimeout. The relay answers each side with two bytes, the
// version and a status:
//
//	0 OK            paired: every later byte is the partner's, both ways
//	1 busy          MaxSessions or MaxWaiting reached, or the pair found no free session
//	2 refused       this node does not relay
//	3 timeout       no partner presented the token within PairTimeout
//	4 token in use  two connections already hold this token
//	5 bad request   wrong magic, version or flags
//
// The first two distinct connections presenting the same token pair; while a
// pair is being set up a third is answered "token in use". A waiting
// connection that closes, or sends anything before its OK, gives up its place.
// After OK the relay copies bytes both ways until a side closes, the session
// is idle for IdleTimeout, or MaxBytes have passed; each direction is held to
// BytesPerSecond. A side's EOF is passed on as a half-close, so the other
// side reads EOF after the last byte; the other side then has a few seconds
// (at most IdleTimeout) to finish before the relay closes both.
//
// The peers run TLS 1.3 end to end through the relay, so the relay protocol
// carries no cryptography of its own.
//
// The relay must never read meaning into the spliced bytes, log them, or
// buffer more than a small fixed amount per session; every goroutine it starts
// ends when its context ends or Server.Close is called.
package relay
