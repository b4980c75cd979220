package overlay

import (
	"time"
)

// startMaintenance starts the maintenance loop, once.
func (n *Node) startMaintenance() {
	if !n.maintaining {
		n.maintaining = true
		n.maintain()
		// The table is thin right after joining, so the first records
		// land on few nodes: announce again as it fills.
		for _, d := range earlyAnnounces {
			n.clock.AfterFunc(d, n.announce)
		}
	}
}

// earlyAnnounces are the extra announcements after joining.
var earlyAnnounces = []time.Duration{15 * time.Second, 60 * time.Second}

// maintain runs once now and then every MaintainInterval (±10%): announce
// the user's rendezvous records, refresh buckets no lookup touched for
// RefreshInterval, and ask for peers when the table runs low.
func (n *Node) maintain() {
	n.announce()
	n.refresh(n.table.stale(n.now(), n.p.RefreshInterval), nil)
	if n.table.Len() < n.p.K {
		n.exchangePeers()
	}
	jitter := time.Duration(n.randUint64()%uint64(n.p.MaintainInterval/5+1)) - n.p.MaintainInterval/10
	n.clock.AfterFunc(n.p.MaintainInterval+jitter, n.maintain)
}

// exchangePeers asks a random contact for a sample of its table and pings
// the nodes it names; those that answer enter the table.
func (n *Node) exchangePeers() {
	some := n.samplePeers(1, GUID{})
	if len(some) == 0 {
		return
	}
	id := n.newID()
	n.call(some[0], id, &PeerExchange{ID: id}, func(_ Peer, m Message) {
		ns, ok := m.(*Nodes)
		if !ok {
			return
		}
		for _, p := range ns.Peers {
			if _, known := n.table.Get(p.GUID); known || p.GUID == n.self {
				continue
			}
			pid := n.newID()
			n.call(p, pid, &Ping{ID: pid}, nil, nil)
		}
	}, nil)
}

// announce stores the user's sealed "reach me" record at the K nodes closest
// to this hour's tag, and also next hour's when the hour ends before the
// next announcement.
func (n *Node) announce() {
	u := n.user
	if u == nil || n.table.Len() == 0 {
		return
	}
	now := n.now()
	h := HourOf(now)
	hours := []uint32{h}
	if hourStart(h+1).Sub(now) <= n.p.MaintainInterval*6/5 {
		hours = append(hours, h+1)
	}
	// The relays double as introducers: they hold a link this node opened,
	// so a set-up request sent to them reaches it even behind a NAT.
	body := &reply{GUID: n.self, Time: now.UnixMilli(), Candidates: n.Candidates(), Relays: n.relays()}
	for _, hr := range hours {
		rec, err := sealRecord(u.SecretID, hr, body, n.rand)
		if err != nil {
			n.log.Warn("announce: seal record", "err", err)
			continue
		}
		n.Lookup(rec.Key, func(res LookupResult) {
			n.log.Debug("announce", "hour", hr, "stored_at", len(res.Closest))
			for _, p := range res.Closest {
				id := n.newID()
				n.call(p, id, &Store{ID: id, Record: rec}, nil, nil)
			}
			// This node may be one of the closest to its own tag.
			if len(res.Closest) < n.p.K || closer(rec.Key, n.self, res.Closest[len(res.Closest)-1].GUID) {
				n.records.put(rec, n.self, n.now())
			}
		})
	}
}
