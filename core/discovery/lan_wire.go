package discovery

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A LAN beacon is exactly lanBeaconLen bytes:
//
//	"tincan-lan" (10 bytes) | version (1 byte, 1) | GUID (20 bytes) | port (2 bytes, big-endian)
//
// It carries the node's overlay GUID and listen port and nothing else: no
// user name, no key, no contact. The magic prefix only keeps stray traffic
// out; it authenticates nothing.
const (
	lanMagic     = "tincan-lan"
	lanVersion   = 1
	lanGUIDLen   = 20
	lanBeaconLen = len(lanMagic) + 1 + lanGUIDLen + 2
)

// errBadBeacon means a datagram is not a LAN beacon this version accepts.
var errBadBeacon = errors.New("bad LAN beacon")

// encodeLANBeacon returns the beacon announcing guid and port.
func encodeLANBeacon(guid [lanGUIDLen]byte, port uint16) []byte {
	b := make([]byte, 0, lanBeaconLen)
	b = append(b, lanMagic...)
	b = append(b, lanVersion)
	b = append(b, guid[:]...)
	return binary.BigEndian.AppendUint16(b, port)
}

// decodeLANBeacon parses a beacon strictly: exact length, magic, version 1,
// and a non-zero GUID and port.
func decodeLANBeacon(b []byte) (guid [lanGUIDLen]byte, port uint16, err error) {
	if len(b) != lanBeaconLen {
		return guid, 0, fmt.Errorf("%w: %d bytes, want %d", errBadBeacon, len(b), lanBeaconLen)
	}
	if string(b[:len(lanMagic)]) != lanMagic {
		return guid, 0, fmt.Errorf("%w: no magic prefix", errBadBeacon)
	}
	rest := b[len(lanMagic):]
	if rest[0] != lanVersion {
		return guid, 0, fmt.Errorf("%w: version %d, want %d", errBadBeacon, rest[0], lanVersion)
	}
	copy(guid[:], rest[1:1+lanGUIDLen])
	port = binary.BigEndian.Uint16(rest[1+lanGUIDLen:])
	if guid == ([lanGUIDLen]byte{}) {
		return [lanGUIDLen]byte{}, 0, fmt.Errorf("%w: zero GUID", errBadBeacon)
	}
	if port == 0 {
		return [lanGUIDLen]byte{}, 0, fmt.Errorf("%w: zero port", errBadBeacon)
	}
	return guid, port, nil
}
