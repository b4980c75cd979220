package overlay

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/bits"
)

// GUIDLen is the length of a GUID in bytes (160 bits).
const GUIDLen = 20

// GUIDBits is the length of a GUID in bits, and one more than the largest
// bucket index.
const GUIDBits = GUIDLen * 8

// GUID is a node's place in the overlay: the first 20 bytes of the SHA-256
// of its Ed25519 node key, so no node picks where it sits.
type GUID [GUIDLen]byte

// GUIDOf returns the GUID of a node key.
func GUIDOf(pub ed25519.PublicKey) GUID {
	sum := sha256.Sum256(pub)
	var g GUID
	copy(g[:], sum[:GUIDLen])
	return g
}

// GenerateNodeKey makes a new node key from r and returns it with its GUID.
func GenerateNodeKey(r io.Reader) (ed25519.PrivateKey, GUID, error) {
	pub, priv, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, GUID{}, fmt.Errorf("generate node key: %w", err)
	}
	return priv, GUIDOf(pub), nil
}

// String returns the GUID in hex.
func (g GUID) String() string { return hex.EncodeToString(g[:]) }

// Short returns the first 8 hex digits, for logs.
func (g GUID) Short() string { return hex.EncodeToString(g[:4]) }

// IsZero reports whether g is the zero GUID, which no node has.
func (g GUID) IsZero() bool {
	return binary.LittleEndian.Uint64(g[0:]) == 0 && binary.LittleEndian.Uint64(g[8:]) == 0 &&
		binary.LittleEndian.Uint32(g[16:]) == 0
}

// CommonPrefixLen returns how many leading bits a and b share (0 to 160).
func CommonPrefixLen(a, b GUID) int {
	for i := 0; i < GUIDLen; i++ {
		if x := a[i] ^ b[i]; x != 0 {
			return i*8 + bits.LeadingZeros8(x)
		}
	}
	return GUIDBits
}

// CompareDistance compares the XOR distances of a and b to target: -1 when
// a is closer, +1 when b is closer, 0 when a == b.
func CompareDistance(target, a, b GUID) int {
	for _, off := range [2]int{0, 8} {
		t := binary.BigEndian.Uint64(target[off:])
		da, db := binary.BigEndian.Uint64(a[off:])^t, binary.BigEndian.Uint64(b[off:])^t
		if da != db {
			if da < db {
				return -1
			}
			return 1
		}
	}
	t := binary.BigEndian.Uint32(target[16:])
	da, db := binary.BigEndian.Uint32(a[16:])^t, binary.BigEndian.Uint32(b[16:])^t
	switch {
	case da < db:
		return -1
	case da > db:
		return 1
	}
	return 0
}

// closer reports whether a is strictly closer to target than b.
func closer(target, a, b GUID) bool { return CompareDistance(target, a, b) < 0 }

// bit returns bit i of g, counting from the most significant.
func bit(g GUID, i int) byte { return (g[i/8] >> (7 - i%8)) & 1 }

// InBucket returns a GUID that shares exactly i leading bits with self (so it
// falls in bucket i of self's table), with the remaining bits from random.
func InBucket(self GUID, i int, random GUID) GUID {
	if i < 0 || i >= GUIDBits {
		panic(fmt.Sprintf("overlay: bucket index %d out of range", i))
	}
	g := random
	copy(g[:i/8], self[:i/8])
	mask := byte(0xff) << (8 - i%8) // the bits of byte i/8 before bit i
	if i%8 == 0 {
		mask = 0
	}
	b := i / 8
	g[b] = self[b]&mask | g[b]&^mask
	flip := byte(0x80) >> (i % 8)
	g[b] = g[b]&^flip | (self[b]^flip)&flip
	return g
}
