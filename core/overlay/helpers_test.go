package overlay

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

// testRand is a deterministic source for tests.
func testRand(t *testing.T) *rand.Rand {
	t.Helper()
	return rand.New(rand.NewPCG(uint64(len(t.Name())), 42))
}

func randGUID(r *rand.Rand) (g GUID) {
	for i := range g {
		g[i] = byte(r.Uint32())
	}
	return g
}

// peerIn returns a peer in bucket i of self's table at a random IPv4 /24.
func peerIn(r *rand.Rand, self GUID, i int) Peer {
	return Peer{GUID: InBucket(self, i, randGUID(r)), Addr: randAddr(r)}
}

func randAddr(r *rand.Rand) netip.AddrPort {
	ip := netip.AddrFrom4([4]byte{byte(1 + r.IntN(200)), byte(r.Uint32()), byte(r.Uint32()), byte(1 + r.IntN(254))})
	return netip.AddrPortFrom(ip, uint16(1024+r.IntN(60000)))
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
