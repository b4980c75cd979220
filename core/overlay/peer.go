package overlay

import (
	"fmt"
	"net/netip"
)

// Peer is one node as others reach it: its GUID and an address it answers on.
type Peer struct {
	GUID GUID
	Addr netip.AddrPort
}

// String returns the short GUID and the address, for logs.
func (p Peer) String() string { return fmt.Sprintf("%s@%s", p.GUID.Short(), p.Addr) }

// SecretID is a user's 128-bit secret ID (identity.SecretID), which only the
// user's contacts know.
type SecretID [16]byte

// Fingerprint names a user's identity key (identity.Fingerprint).
type Fingerprint [32]byte

// Nonce names one connection set-up attempt; nodes forward each nonce once.
type Nonce [16]byte
