package overlay

import "net/netip"

// Version is the overlay protocol version written in every message.
const Version = 1

// Limits on every message and field; the decoder rejects anything larger.
const (
	MaxMessage       = 8 << 10 // a whole encoded message
	MaxPeers         = 20      // peers in one Nodes or Value message
	MaxRecords       = 8       // records in one Value message
	MaxRecordSealed  = 512     // a rendezvous record's sealed body
	MaxEnvelope      = 1536    // a flood envelope (RSA-4096 wrapped key + sealed hello)
	MaxConnectSealed = 512     // a connect request's sealed hello
	MaxAnswerSealed  = 512     // a sealed answer
	MaxTTL           = 32      // hops a flood or connect may travel
	MaxCandidates    = 8       // candidate addresses in a hello or reply
	MaxRelays        = 2       // relay addresses in a hello or reply
)

// Type is a message's type byte.
type Type uint8

// Message types.
const (
	TypePing Type = 1 + iota
	TypePong
	TypeFindNode
	TypeNodes
	TypeFindValue
	TypeValue
	TypeStore
	TypeStored
	TypePeerExchange
	TypeObserved
	TypeFlood
	TypeFloodAnswer
	TypeConnect
	TypeConnectAnswer
	TypeProbeRequest
	typeEnd
)

// NumTypes bounds Type values: every type is below it.
const NumTypes = int(typeEnd)

var typeNames = [...]string{"", "PING", "PONG", "FIND_NODE", "NODES", "FIND_VALUE", "VALUE",
	"STORE", "STORED", "PEER_EXCHANGE", "OBSERVED", "FLOOD", "FLOOD_ANSWER", "CONNECT", "CONNECT_ANSWER", "PROBE_REQUEST"}

// String returns the type's protocol name.
func (t Type) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return "UNKNOWN"
}

// Message is one overlay message. Messages are immutable once sent.
type Message interface{ Type() Type }

// Ping asks a peer to prove it is alive.
type Ping struct{ ID uint64 }

// Pong answers a Ping and reports the address the pinger was seen from.
type Pong struct {
	ID       uint64
	Observed netip.AddrPort // may be the zero value (unknown)
}

// FindNode asks for the peer's closest known nodes to Target.
type FindNode struct {
	ID     uint64
	Target GUID
}

// Nodes answers FindNode or PeerExchange.
type Nodes struct {
	ID    uint64
	Peers []Peer
}

// FindValue asks for the records stored under Key, or closer nodes.
type FindValue struct {
	ID  uint64
	Key GUID
}

// Value answers FindValue with any records held and the closest known nodes.
type Value struct {
	ID      uint64
	Records []Record
	Peers   []Peer
}

// Store asks a peer to keep a rendezvous record.
type Store struct {
	ID     uint64
	Record Record
}

// Stored acknowledges a Store.
type Stored struct{ ID uint64 }

// PeerExchange asks for a sample of the peer's routing table.
type PeerExchange struct{ ID uint64 }

// ProbeRequest asks a linked peer for a STUN "change IP" answer (RFC 5780):
// the peer sends one Binding success, from its own address, to To, the
// sender's own mapped address as a STUN server saw it. The receiver sends
// only if To's IP is the one the sender's link comes from, and rate-limits
// per sender and per destination (stun.Server.Probe).
type ProbeRequest struct {
	To          netip.AddrPort
	Transaction [12]byte // the STUN transaction ID to answer
}

// Observed reports the address a peer sees this node's link coming from.
type Observed struct{ Addr netip.AddrPort }

// Flood carries a set-up envelope sealed to the receiver's public key; every
// node forwards each Nonce once while TTL lasts.
type Flood struct {
	Nonce    Nonce
	Time     int64 // Unix milliseconds when sent; bound to Envelope
	TTL      uint8
	Envelope []byte
}

// FloodAnswer travels the flood's reverse path back to the sender.
type FloodAnswer struct {
	Nonce  Nonce
	Sealed []byte
}

// Connect is a set-up request routed hop by hop toward Target's GUID.
type Connect struct {
	Nonce  Nonce
	Time   int64 // Unix milliseconds when sent; bound to Sealed
	TTL    uint8
	Target GUID
	Sealed []byte
}

// ConnectAnswer travels a Connect's reverse path back to the sender.
type ConnectAnswer struct {
	Nonce  Nonce
	Sealed []byte
}

// Record is a sealed rendezvous record stored under its tag, Key.
type Record struct {
	Key    GUID
	Hour   uint32 // hours since the Unix epoch the tag belongs to
	Sealed []byte
}

// Type implementations.
func (*Ping) Type() Type          { return TypePing }
func (*Pong) Type() Type          { return TypePong }
func (*FindNode) Type() Type      { return TypeFindNode }
func (*Nodes) Type() Type         { return TypeNodes }
func (*FindValue) Type() Type     { return TypeFindValue }
func (*Value) Type() Type         { return TypeValue }
func (*Store) Type() Type         { return TypeStore }
func (*Stored) Type() Type        { return TypeStored }
func (*PeerExchange) Type() Type  { return TypePeerExchange }
func (*Observed) Type() Type      { return TypeObserved }
func (*ProbeRequest) Type() Type  { return TypeProbeRequest }
func (*Flood) Type() Type         { return TypeFlood }
func (*FloodAnswer) Type() Type   { return TypeFloodAnswer }
func (*Connect) Type() Type       { return TypeConnect }
func (*ConnectAnswer) Type() Type { return TypeConnectAnswer }

// requestID returns the ID of a request that expects a response.
func requestID(m Message) (uint64, bool) {
	switch m := m.(type) {
	case *Ping:
		return m.ID, true
	case *FindNode:
		return m.ID, true
	case *FindValue:
		return m.ID, true
	case *Store:
		return m.ID, true
	case *PeerExchange:
		return m.ID, true
	}
	return 0, false
}
