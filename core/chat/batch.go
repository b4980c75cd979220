package chat

import (
	"errors"
	"fmt"
	"time"

	"tincan/core/store"
	"tincan/core/wire"
)

// maxBatch bounds how many session events share one store transaction.
const maxBatch = 256

// drain returns ev and the events already waiting behind it, without blocking.
func (p *peer) drain(ev event) []event {
	evs := []event{ev}
	for len(evs) < maxBatch {
		select {
		case e := <-p.events:
			evs = append(evs, e)
		default:
			return evs
		}
	}
	return evs
}

// onEvents handles events in order; each run of Msg, Ack and Written events
// is committed in one transaction (one fsync for a burst), and only then
// acknowledged and reported.
func (p *peer) onEvents(evs []event) {
	for len(evs) > 0 {
		n := 0
		for n < len(evs) && batchable(evs[n].kind) {
			n++
		}
		if n == 0 {
			p.onEvent(evs[0])
			evs = evs[1:]
			continue
		}
		p.onBatch(evs[:n])
		evs = evs[n:]
	}
}

func batchable(k eventKind) bool { return k == evMsg || k == evAck || k == evWritten }

// outcome is what the store said about one event of a batch.
type outcome struct {
	saved   store.Message
	dup     bool
	changed bool
	card    bool // the ack was for a card update
	err     error
}

func (p *peer) onBatch(evs []event) {
	live := evs[:0:0]
	for _, ev := range evs {
		if p.cur != nil && ev.s == p.cur {
			live = append(live, ev)
		}
	}
	if len(live) == 0 {
		return
	}
	res := make([]outcome, len(live))
	marked := map[store.MessageID]bool{} // marked Sent in this batch
	mark := func(b *store.Batch, id store.MessageID) {
		if f := p.out.inflight[id]; f != nil && !f.sent && !marked[id] {
			if err := b.MarkSent(p.id, id); err != nil {
				p.log.Error("mark message sent", "err", err)
				return
			}
			marked[id] = true
		}
	}
	err := p.m.cfg.Store.Batch(p.ctx, func(b *store.Batch) error {
		for i, ev := range live {
			switch ev.kind {
			case evMsg:
				if ev.msg.Body == "" {
					res[i].err = fmt.Errorf("%w: empty message", ErrProtocol)
					continue
				}
				res[i].saved, res[i].dup, res[i].err = b.SaveIncoming(store.Message{
					ID: ev.msg.ID, ContactID: p.id, Direction: store.Incoming, Body: ev.msg.Body,
					SentAt: time.Unix(0, ev.msg.SentAt), State: store.Received,
				})
			case evAck:
				if fp, ok := p.out.cards[ev.id]; ok {
					res[i].card = true
					res[i].changed, res[i].err = b.CardDelivered(p.id, ev.id, fp[:])
					continue
				}
				mark(b, ev.id) // the writer's report may still be on its way
				res[i].changed, res[i].err = b.MarkDelivered(p.id, ev.id)
			case evWritten:
				for _, id := range ev.ids {
					mark(b, id)
				}
			}
		}
		return nil
	})
	if err != nil {
		if p.ctx.Err() == nil {
			p.lose(fmt.Errorf("commit session events: %w", err), "internal error")
		}
		return
	}
	// Committed: now acknowledge and report, in the order things happened.
	for i, ev := range live {
		switch ev.kind {
		case evMsg:
			if res[i].err != nil {
				if p.ctx.Err() == nil {
					p.lose(fmt.Errorf("save incoming message: %w", res[i].err), byeFor(res[i].err))
				}
				return
			}
			if !p.sendOrLose(ackOf(ev.msg.ID), store.MessageID{}) {
				return // a lost ack means a resend, then a dup
			}
			if !res[i].dup {
				p.m.emit(MessageReceived{Message: res[i].saved})
			}
		case evAck:
			if res[i].card {
				if !p.cardAcked(ev.id, res[i]) {
					return
				}
				continue
			}
			p.reportSent(ev.id, marked)
			if res[i].err != nil {
				if p.ctx.Err() == nil {
					p.lose(fmt.Errorf("mark message delivered: %w", res[i].err), "internal error")
				}
				return
			}
			delete(p.out.inflight, ev.id)
			if res[i].changed {
				p.m.emit(StateChanged{ContactID: p.id, ID: ev.id, State: store.Delivered})
			}
		case evWritten:
			for _, id := range ev.ids {
				p.reportSent(id, marked)
			}
		}
	}
	p.pump()
}

// reportSent emits Sent once for a message marked Sent in this batch.
func (p *peer) reportSent(id store.MessageID, marked map[store.MessageID]bool) {
	if f := p.out.inflight[id]; f != nil && !f.sent && marked[id] {
		f.sent = true
		p.m.emit(StateChanged{ContactID: p.id, ID: id, State: store.Sent})
	}
}

func ackOf(id store.MessageID) wire.Payload { return wire.Ack{ID: id} }

// byeFor is the reason told to the peer when its message cannot be saved.
func byeFor(err error) string {
	if errors.Is(err, ErrProtocol) {
		return "protocol error"
	}
	return "internal error"
}
