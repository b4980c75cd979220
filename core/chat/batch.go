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

// batchHook, when set (by tests before any manager starts), is called by a
// peer goroutine of m inside a batch's transaction once its work is done
// (committed=false: nothing of it is committed yet) and again after the
// commit, with the number of incoming messages in the batch.
var batchHook func(m *Manager, msgs int, committed bool)

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

// onEvents handles events in order. This is the receive side of group
// commit: the events that arrived while the last commit ran are drained
// together, each run of Msg and Ack events (with the Written reports among
// them) is committed in one transaction through store.Batch, which other
// contacts' batches and local sends may share, and only after that commit
// are the messages acknowledged to the peer. Acks of our own messages are
// reported Delivered as they arrive and recorded by the same commit (see
// deliveredEarly).
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
	early   bool // the ack's Delivered was reported before the commit
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
	// Acks of messages in flight are reported at once and recorded later
	// (deliveredEarly); only incoming messages and other acks need this
	// batch to commit before anything is answered.
	res := make([]outcome, len(live))
	needCommit := false
	for i, ev := range live {
		switch ev.kind {
		case evMsg:
			needCommit = true
		case evAck:
			res[i].early = p.deliveredEarly(ev.id)
			needCommit = needCommit || !res[i].early
		}
	}
	if !needCommit {
		// Frames written: report Sent now and record it with the next
		// commit (see recordPending). Sent is not a promise to anyone: a
		// session that ends, or a restart, puts Sent messages back to
		// Queued anyway, so it needs no fsync of its own.
		for _, ev := range live {
			for _, id := range ev.ids {
				p.reportSent(id, false)
			}
		}
		p.scheduleRecord()
		p.pump()
		return
	}
	acked := map[store.MessageID]bool{}
	for _, ev := range live {
		if ev.kind == evAck {
			acked[ev.id] = true
		}
	}
	msgs := 0
	for _, ev := range live {
		if ev.kind == evMsg {
			msgs++
		}
	}
	undelivered := p.out.undelivered
	err := p.m.cfg.Store.Batch(p.ctx, func(b *store.Batch) error {
		if err := p.markDelivered(b, undelivered); err != nil {
			return err
		}
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
				if res[i].early {
					continue // in undelivered, recorded above
				}
				if fp, ok := p.out.cards[ev.id]; ok {
					res[i].card = true
					res[i].changed, res[i].err = b.CardDelivered(p.id, ev.id, fp[:])
					continue
				}
				res[i].changed, res[i].err = b.MarkDelivered(p.id, ev.id)
			}
		}
		p.markSent(b, live, acked)
		if batchHook != nil {
			batchHook(p.m, msgs, false)
		}
		return nil
	})
	if err != nil {
		if p.ctx.Err() == nil {
			p.lose(fmt.Errorf("commit session events: %w", err), "internal error")
		}
		return
	}
	if batchHook != nil {
		batchHook(p.m, msgs, true)
	}
	p.out.unrecorded = p.out.unrecorded[:0]
	p.out.undelivered = p.out.undelivered[:0]
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
			if res[i].err != nil {
				if p.ctx.Err() == nil {
					p.lose(fmt.Errorf("mark message delivered: %w", res[i].err), "internal error")
				}
				return
			}
			if res[i].early {
				continue // reported before the commit
			}
			p.reportSent(ev.id, true) // the writer's report may still be on its way
			delete(p.out.inflight, ev.id)
			if res[i].changed {
				p.m.emit(StateChanged{ContactID: p.id, ID: ev.id, State: store.Delivered})
			}
		case evWritten:
			for _, id := range ev.ids {
				p.reportSent(id, true) // markSent recorded it
			}
		}
	}
	p.pump()
}

// deliveredEarly reports Delivered for an acknowledged message of the live
// session at once and leaves its record to a later commit (undelivered): the
// contact has the message durably (it acks only after its own commit), so
// Delivered is already true, and nothing should wait on our fsync for it —
// not the report, and not the next message's commit. If the record is lost
// (a crash, a full disk), the message is still in the outbox: it is sent
// again, the contact's store drops the duplicate and acks again, and that
// ack records it. Card updates and acks of messages not in flight here (a
// repeat after a restart) are recorded before they are reported.
func (p *peer) deliveredEarly(id store.MessageID) bool {
	if _, card := p.out.cards[id]; card || p.out.inflight[id] == nil {
		return false
	}
	p.reportSent(id, true) // the Delivered record covers Sent
	delete(p.out.inflight, id)
	p.out.undelivered = append(p.out.undelivered, id)
	p.m.emit(StateChanged{ContactID: p.id, ID: id, State: store.Delivered})
	return true
}

// markDelivered records, in b, Delivered for ids (reported already).
func (p *peer) markDelivered(b *store.Batch, ids []store.MessageID) error {
	for _, id := range ids {
		if _, err := b.MarkDelivered(p.id, id); err != nil {
			return fmt.Errorf("mark message delivered: %w", err)
		}
	}
	return nil
}

// Delivered records wait at most recordDelay for a commit to carry them,
// and at most maxUndelivered of them wait.
const (
	recordDelay    = 20 * time.Millisecond
	maxUndelivered = 256
)

// scheduleRecord arranges for the waiting Delivered records to be
// committed: at once if many wait, else within recordDelay (a History read
// in that time shows such a message Sent).
func (p *peer) scheduleRecord() {
	switch {
	case len(p.out.undelivered) >= maxUndelivered:
		p.recordPending()
	case len(p.out.undelivered) > 0 && p.record == nil:
		p.record = time.NewTimer(recordDelay)
	}
}

// recordPending commits the waiting Delivered and Sent records. A failure
// is logged: the messages stay in the outbox and an ack of their resend
// records them.
func (p *peer) recordPending() {
	if p.record != nil {
		p.record.Stop()
		p.record = nil
	}
	if len(p.out.undelivered) == 0 && len(p.out.unrecorded) == 0 {
		return
	}
	ctx, cancel := p.storeCtx()
	defer cancel()
	err := p.m.cfg.Store.Batch(ctx, func(b *store.Batch) error {
		if err := p.markDelivered(b, p.out.undelivered); err != nil {
			return err
		}
		p.markSent(b, nil, nil)
		return nil
	})
	if err != nil {
		p.log.Error("record delivered messages", "err", err)
		return
	}
	p.out.undelivered = p.out.undelivered[:0]
	p.out.unrecorded = p.out.unrecorded[:0]
}

// markSent records, in b, Sent for the messages reported Sent since the last
// commit and those written in this batch, except the ones it acknowledges
// (those go straight to Delivered). A failure is logged: Sent is a hint.
func (p *peer) markSent(b *store.Batch, live []event, acked map[store.MessageID]bool) {
	mark := func(id store.MessageID) {
		if p.out.inflight[id] == nil || acked[id] {
			return
		}
		if err := b.MarkSent(p.id, id); err != nil {
			p.log.Error("mark message sent", "err", err)
		}
	}
	for _, id := range p.out.unrecorded {
		mark(id)
	}
	for _, ev := range live {
		if ev.kind == evWritten {
			for _, id := range ev.ids {
				if f := p.out.inflight[id]; f != nil && !f.sent {
					mark(id)
				}
			}
		}
	}
}

// reportSent emits Sent once for an in-flight message whose frame went out;
// unless recorded, the store records it with the next commit.
func (p *peer) reportSent(id store.MessageID, recorded bool) {
	if f := p.out.inflight[id]; f != nil && !f.sent {
		f.sent = true
		if !recorded {
			p.out.unrecorded = append(p.out.unrecorded, id)
		}
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
