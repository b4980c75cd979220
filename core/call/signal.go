package call

import (
	"bytes"
	"encoding/hex"

	"tincan/core/wire"
)

// OnSignal takes a call-signalling frame from a contact (chat calls it on a
// session's read goroutine; it does not block).
func (m *Manager) OnSignal(contactID int64, f wire.Call) {
	_ = m.transition(func(fx *effects) error {
		c := m.cur
		if f.Kind == wire.CallOffer {
			m.onOffer(fx, contactID, f)
			return nil
		}
		if c == nil || c.info.ContactID != contactID || c.id != f.ID {
			if f.Kind == wire.CallKeepalive || f.Kind == wire.CallAnswer {
				// The contact thinks a call is on that we have ended: say so.
				m.sendTo(fx, contactID, wire.Call{Kind: wire.CallEnd, ID: f.ID, Reason: "no such call"})
			}
			return nil
		}
		c.lastSig = m.cfg.Clock.Now()
		switch f.Kind {
		case wire.CallRinging:
			if c.info.State == Calling && !c.info.Incoming && !c.info.RemoteRinging {
				c.info.RemoteRinging = true
				m.emit(fx, c)
			}
		case wire.CallAnswer:
			if c.info.State == Calling && !c.info.Incoming {
				c.remote = f.Candidates
				m.connect(fx, c, true)
			}
		case wire.CallDecline:
			if c.info.State == Calling {
				m.end(fx, c, ReasonDeclined, "")
			}
		case wire.CallBusy:
			if c.info.State == Calling {
				m.end(fx, c, ReasonBusy, "")
			}
		case wire.CallCancel:
			if c.info.State == Ringing {
				m.end(fx, c, ReasonMissed, "")
			}
		case wire.CallEnd:
			switch c.info.State {
			case Calling:
				m.end(fx, c, ReasonFailed, "the contact ended the call: "+f.Reason)
			case Ringing:
				m.end(fx, c, ReasonMissed, "")
			default:
				m.end(fx, c, ReasonRemoteHangup, "")
			}
		case wire.CallKeepalive:
		}
		return nil
	})
}

// onOffer handles an incoming offer: a new call rings; the same offer again
// is answered with Ringing again; an offer while we call the same contact
// is glare (the smaller call ID wins on both sides, and the side whose
// offer lost answers the other at once: one call results); anything else
// while busy gets Busy.
func (m *Manager) onOffer(fx *effects, contactID int64, f wire.Call) {
	c := m.cur
	switch {
	case m.closed:
		m.sendTo(fx, contactID, wire.Call{Kind: wire.CallBusy, ID: f.ID, Reason: "shutting down"})
	case c == nil:
		c = &callState{id: f.ID, key: f.Key, remote: f.Candidates}
		c.info = Info{ID: hex.EncodeToString(f.ID[:]), ContactID: contactID, Incoming: true, State: Ringing, CreatedAt: m.cfg.Clock.Now()}
		c.lastSig = c.info.CreatedAt
		m.cur = c
		m.arm(c, m.cfg.RingTimeout, func(fx *effects) {
			if c.info.State == Ringing {
				m.send(fx, c, wire.Call{Kind: wire.CallDecline, ID: c.id, Reason: "no answer"})
				m.end(fx, c, ReasonMissed, "")
			}
		})
		m.send(fx, c, wire.Call{Kind: wire.CallRinging, ID: c.id})
		m.emit(fx, c)
	case c.info.ContactID == contactID && c.id == f.ID:
		if c.info.State == Ringing {
			m.send(fx, c, wire.Call{Kind: wire.CallRinging, ID: c.id})
		}
	case c.info.ContactID == contactID && c.info.State == Calling && !c.info.Incoming:
		if bytes.Compare(f.ID[:], c.id[:]) >= 0 {
			return // our offer wins: the contact will answer it
		}
		m.log.Info("call glare: answering the contact's call", "ours", c.info.ID, "theirs", hex.EncodeToString(f.ID[:]))
		c.id, c.key, c.remote = f.ID, f.Key, f.Candidates
		c.info.ID, c.info.Incoming = hex.EncodeToString(f.ID[:]), true
		m.send(fx, c, wire.Call{Kind: wire.CallAnswer, ID: c.id, Candidates: m.candidates()})
		m.connect(fx, c, false)
	default:
		m.sendTo(fx, contactID, wire.Call{Kind: wire.CallBusy, ID: f.ID, Reason: "in another call"})
	}
}

// OnSession reports that a session with the contact came up (true) or went
// down: a pending offer goes out on a new session.
func (m *Manager) OnSession(contactID int64, up bool) {
	_ = m.transition(func(fx *effects) error {
		c := m.cur
		if c == nil || c.info.ContactID != contactID || !up {
			return nil
		}
		if c.info.State == Calling && !c.info.RemoteRinging {
			m.sendOffer(fx, c)
		}
		return nil
	})
}

// sendTo queues a frame to any contact, best effort.
func (m *Manager) sendTo(fx *effects, contactID int64, f wire.Call) {
	*fx = append(*fx, func() { _ = m.cfg.Signal.SendCall(contactID, f) })
}
