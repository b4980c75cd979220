// Package overlay is tincan's overlay network: node GUIDs, a Kademlia-style
// XOR routing table, joining, iterative lookups, rendezvous records, and the
// flood from the seed document for connection set-up.
//
// It is transport-agnostic. A Node is a state machine that handles one
// incoming message or timer at a time, sends through a Network and schedules
// through a Clock. The same Node runs over real TLS links (driven by a Runner
// under a mutex) and over the in-memory network of package memnet with a fake
// clock, in one goroutine, for tens of thousands of nodes.
//
// Connection set-up first looks up a rendezvous record at a tag that only the
// receiver's contacts can compute (HMAC of the secret ID and the hour), then
// routes a connect request to the receiver's GUID; only when that fails does
// it flood an envelope sealed to the receiver's public key.
//
// It must never reveal which user a node belongs to: peers see node GUIDs,
// and a user's secret ID travels only inside sealed envelopes and records.
// It must never block, never start a goroutine, and never try a private-key
// decryption on anything but a flood envelope.
package overlay
