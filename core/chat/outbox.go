package chat

import (
	"fmt"
	"strings"

	"tincan/core/identity"
	"tincan/core/store"
	"tincan/core/wire"
)

// outState is the outbox stream over one session.
type outState struct {
	inflight map[store.MessageID]*flight // queued to the session, not acknowledged
	pending  []store.Message             // loaded from the outbox, not yet queued
	cursor   int64                       // Seq of the last message queued
	dirty    bool                        // the outbox may hold messages past pending
	// unrecorded lists messages reported Sent whose Sent state no commit
	// has recorded yet (the next commit does, see recordPending).
	unrecorded []store.MessageID
	// undelivered lists messages reported Delivered whose record waits for
	// a commit (see deliveredEarly).
	undelivered []store.MessageID

	cards     map[store.MessageID]identity.Fingerprint // card updates sent, not acknowledged: their key
	cardDirty bool                                     // the store may hold a card update not yet sent
}

// flight is one unacknowledged message of the live session.
type flight struct {
	sent bool // reported Sent (recorded in the store with the next commit)
}

func newOutState() outState {
	return outState{
		inflight: make(map[store.MessageID]*flight), dirty: true,
		cards: make(map[store.MessageID]identity.Fingerprint), cardDirty: true,
	}
}

// sentIDs lists the in-flight messages that were reported Sent.
func (o *outState) sentIDs() []store.MessageID {
	var ids []store.MessageID
	for id, f := range o.inflight {
		if f.sent {
			ids = append(ids, id)
		}
	}
	return ids
}

func pingOf(n uint64) wire.Payload { return wire.Ping{Nonce: n} }

// sendOrLose queues p on the live session, ending it if it cannot take more.
func (p *peer) sendOrLose(pl wire.Payload, id store.MessageID) bool {
	if p.cur == nil {
		return false
	}
	if err := p.cur.send(pl, id); err != nil {
		p.lose(fmt.Errorf("send %s: %w", pl.Type(), err), "")
		return false
	}
	return true
}

// pump queues a waiting card update, then outbox messages in Seq order
// while the window has room.
func (p *peer) pump() {
	p.pumpCard()
	o := &p.out
	for p.cur != nil && len(o.inflight) < window {
		if len(o.pending) == 0 {
			if !o.dirty {
				return
			}
			o.dirty = false
			room := window - len(o.inflight)
			ob, err := p.m.cfg.Store.OutboxAfter(p.ctx, p.id, o.cursor, room)
			if err != nil {
				if p.ctx.Err() == nil {
					p.log.Error("read outbox", "err", err)
				}
				return
			}
			o.dirty = len(ob) == room // there may be more past these
			for _, msg := range ob {
				if msg.Seq > o.cursor && o.inflight[msg.ID] == nil {
					o.pending = append(o.pending, msg)
				}
			}
			if len(o.pending) == 0 {
				return
			}
		}
		msg := o.pending[0]
		o.pending[0] = store.Message{}
		o.pending = o.pending[1:]
		o.cursor = msg.Seq
		w, err := wireMsg(msg)
		if err != nil {
			p.log.Error("message cannot be sent; skipped", "id", fmt.Sprintf("%x", msg.ID), "err", err)
			continue
		}
		if !p.sendOrLose(w, msg.ID) {
			return
		}
		o.inflight[msg.ID] = &flight{}
	}
}

// wireMsg encodes an outbox message for the wire.
func wireMsg(msg store.Message) (wire.Msg, error) {
	at := msg.SentAt
	if at.IsZero() {
		at = msg.At
	}
	w := wire.Msg{ID: msg.ID, SentAt: at.UnixNano(), Body: strings.ToValidUTF8(msg.Body, "\uFFFD")}
	if len(w.Body) > wire.MaxBody {
		return wire.Msg{}, fmt.Errorf("body of %d bytes: %w", len(w.Body), store.ErrMessageTooLong)
	}
	return w, nil
}
