package overlay

import "fmt"

// Encode returns m's wire form: version, type, then its fields. It fails if
// any field is over its limit, so a node never sends what a peer would drop.
func Encode(m Message) ([]byte, error) { return AppendMessage(nil, m) }

// AppendMessage appends m's wire form to dst.
func AppendMessage(dst []byte, m Message) ([]byte, error) {
	start := len(dst)
	e := &encoder{b: dst}
	e.u8(Version)
	e.u8(uint8(m.Type()))
	switch m := m.(type) {
	case *Ping:
		e.u64(m.ID)
	case *Pong:
		e.u64(m.ID)
		e.addr(m.Observed, true)
	case *FindNode:
		e.u64(m.ID)
		e.guid(m.Target)
	case *Nodes:
		e.u64(m.ID)
		e.peerList(m.Peers)
	case *FindValue:
		e.u64(m.ID)
		e.guid(m.Key)
	case *Value:
		e.u64(m.ID)
		e.count("records", len(m.Records), MaxRecords)
		for _, r := range m.Records {
			e.record(r)
		}
		e.peerList(m.Peers)
	case *Store:
		e.u64(m.ID)
		e.record(m.Record)
	case *Stored:
		e.u64(m.ID)
	case *PeerExchange:
		e.u64(m.ID)
	case *Observed:
		e.addr(m.Addr, false)
	case *ProbeRequest:
		e.addr(m.To, false)
		e.raw(m.Transaction[:])
	case *Flood:
		e.nonce(m.Nonce)
		e.time(m.Time)
		e.ttl(m.TTL)
		e.bytes("envelope", m.Envelope, MaxEnvelope)
	case *FloodAnswer:
		e.nonce(m.Nonce)
		e.bytes("answer", m.Sealed, MaxAnswerSealed)
	case *Connect:
		e.nonce(m.Nonce)
		e.time(m.Time)
		e.ttl(m.TTL)
		e.guid(m.Target)
		e.bytes("connect", m.Sealed, MaxConnectSealed)
	case *ConnectAnswer:
		e.nonce(m.Nonce)
		e.bytes("answer", m.Sealed, MaxAnswerSealed)
	default:
		return dst, fmt.Errorf("encode: unknown message %T", m)
	}
	if e.err != nil {
		return dst, fmt.Errorf("%s: %w", m.Type(), e.err)
	}
	if len(e.b)-start > MaxMessage {
		return dst, fmt.Errorf("%s: %d bytes: %w", m.Type(), len(e.b)-start, ErrTooLarge)
	}
	return e.b, nil
}

func (e *encoder) time(ms int64) {
	if ms < 0 {
		e.fail("negative time")
	}
	e.i64(ms)
}

func (e *encoder) peerList(ps []Peer) {
	e.count("peers", len(ps), MaxPeers)
	for _, p := range ps {
		e.peer(p)
	}
}

func (e *encoder) record(r Record) {
	e.guid(r.Key)
	e.u32(r.Hour)
	e.bytes("record", r.Sealed, MaxRecordSealed)
}

func (d *decoder) record() Record {
	return Record{Key: d.guid("record key"), Hour: d.u32("record hour"), Sealed: d.bytes("record", MaxRecordSealed)}
}

// Decode parses one message. It never allocates more than the input's size
// (bounded by MaxMessage) and rejects unknown versions, unknown types, fields
// over their limits and trailing bytes.
func Decode(b []byte) (Message, error) {
	if len(b) > MaxMessage {
		return nil, fmt.Errorf("decode: %d bytes: %w", len(b), ErrTooLarge)
	}
	d := &decoder{b: b}
	if v := d.u8("version"); d.err == nil && v != Version {
		d.fail("version %d, want %d", v, Version)
	}
	t := Type(d.u8("type"))
	if d.err != nil {
		return nil, fmt.Errorf("decode: %w", d.err)
	}
	var m Message
	switch t {
	case TypePing:
		m = &Ping{ID: d.u64("id")}
	case TypePong:
		m = &Pong{ID: d.u64("id"), Observed: d.addr("observed", true)}
	case TypeFindNode:
		m = &FindNode{ID: d.u64("id"), Target: d.guid("target")}
	case TypeNodes:
		m = &Nodes{ID: d.u64("id"), Peers: d.peers()}
	case TypeFindValue:
		m = &FindValue{ID: d.u64("id"), Key: d.guid("key")}
	case TypeValue:
		v := &Value{ID: d.u64("id")}
		if n := d.count("records", MaxRecords); n > 0 {
			v.Records = make([]Record, 0, n)
			for i := 0; i < n && d.err == nil; i++ {
				v.Records = append(v.Records, d.record())
			}
		}
		v.Peers = d.peers()
		m = v
	case TypeStore:
		m = &Store{ID: d.u64("id"), Record: d.record()}
	case TypeStored:
		m = &Stored{ID: d.u64("id")}
	case TypePeerExchange:
		m = &PeerExchange{ID: d.u64("id")}
	case TypeObserved:
		m = &Observed{Addr: d.addr("observed", false)}
	case TypeProbeRequest:
		pr := &ProbeRequest{To: d.addr("probe to", false)}
		copy(pr.Transaction[:], d.take("transaction", len(pr.Transaction)))
		m = pr
	case TypeFlood:
		m = &Flood{Nonce: d.nonce(), Time: d.time("time"), TTL: d.ttl(), Envelope: d.bytes("envelope", MaxEnvelope)}
	case TypeFloodAnswer:
		m = &FloodAnswer{Nonce: d.nonce(), Sealed: d.bytes("answer", MaxAnswerSealed)}
	case TypeConnect:
		m = &Connect{Nonce: d.nonce(), Time: d.time("time"), TTL: d.ttl(), Target: d.guid("target"),
			Sealed: d.bytes("connect", MaxConnectSealed)}
	case TypeConnectAnswer:
		m = &ConnectAnswer{Nonce: d.nonce(), Sealed: d.bytes("answer", MaxAnswerSealed)}
	default:
		return nil, fmt.Errorf("decode: %w: unknown type %d", ErrMalformed, t)
	}
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("decode %s: %w", t, err)
	}
	return m, nil
}
