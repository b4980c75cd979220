package chat

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"

	"tincan/core/contact"
	"tincan/core/store"
	"tincan/core/wire"
)

// pumpCard sends the contact's waiting card update over the live session,
// unless it is already on its way.
func (p *peer) pumpCard() {
	o := &p.out
	if p.cur == nil || !o.cardDirty {
		return
	}
	o.cardDirty = false
	u, err := p.m.cfg.Store.CardUpdate(p.ctx, p.id)
	if errors.Is(err, store.ErrNotFound) {
		return
	}
	if err != nil {
		if p.ctx.Err() == nil {
			p.log.Error("load card update", "err", err)
		}
		return
	}
	if _, sent := o.cards[u.ID]; sent {
		return
	}
	c, err := contact.Parse(u.Card)
	if err != nil {
		p.log.Error("waiting card update does not parse; not sent", "err", err)
		return
	}
	if !p.sendOrLose(wire.Card{ID: u.ID, Card: u.Card}, store.MessageID{}) {
		return
	}
	o.cards[u.ID] = c.Fingerprint()
	p.cur.log.Info("sent our new card")
}

// cardAcked finishes the ack of a card update that the batch recorded; it
// reports false if the session was lost.
func (p *peer) cardAcked(id store.MessageID, res outcome) bool {
	if res.err != nil {
		if p.ctx.Err() == nil {
			p.lose(fmt.Errorf("record card update ack: %w", res.err), "internal error")
		}
		return false
	}
	delete(p.out.cards, id)
	if !res.changed {
		p.out.cardDirty = true // a newer card replaced the acknowledged one
	}
	p.cur.log.Info("contact stored our new card", "latest", res.changed)
	p.m.emit(CardDelivered{ContactID: p.id})
	return true
}

// onCard stores the contact's new card, which arrived over the live session:
// it must parse, and the session must be pinned to the contact's stored key.
// Only after the commit is it acknowledged. If the key changed, the session
// pinned to the old key ends and the contact is dialed at the new one.
func (p *peer) onCard(w wire.Card) {
	s := p.cur
	card, err := contact.Parse(w.Card)
	if err != nil {
		p.lose(fmt.Errorf("%w: card update: %w", ErrProtocol, err), "protocol error")
		return
	}
	ctx, cancel := p.storeCtx()
	defer cancel()
	c, err := p.m.cfg.Store.ContactByID(ctx, p.id)
	if err != nil {
		p.lose(fmt.Errorf("load contact for its card update: %w", err), "internal error")
		return
	}
	if !bytes.Equal(c.Fingerprint, s.peerFP[:]) {
		p.lose(errors.New("card update over a session pinned to a key the contact has replaced"), "stale key")
		return
	}
	fp := card.Fingerprint()
	if fp == p.m.current().fp {
		p.lose(fmt.Errorf("%w: card update carries our own key", ErrProtocol), "protocol error")
		return
	}
	der, err := x509.MarshalPKIXPublicKey(card.PublicKey)
	if err != nil {
		p.lose(fmt.Errorf("encode the new key: %w", err), "internal error")
		return
	}
	_, err = p.m.cfg.Store.UpdateContactCard(ctx, p.id, c.Fingerprint, store.Contact{
		Card: card.String(), PublicKey: der, Fingerprint: fp[:], SecretID: card.SecretID[:],
	})
	switch {
	case errors.Is(err, store.ErrDuplicateKey):
		p.lose(fmt.Errorf("%w: card update carries another contact's key", ErrProtocol), "protocol error")
		return
	case err != nil:
		p.lose(fmt.Errorf("store card update: %w", err), "internal error")
		return
	}
	if !p.sendOrLose(ackOf(w.ID), store.MessageID{}) {
		return
	}
	keyChanged := !bytes.Equal(fp[:], c.Fingerprint)
	s.log.Info("stored the contact's new card", "key_changed", keyChanged)
	p.m.emit(CardUpdated{ContactID: p.id, KeyChanged: keyChanged})
	if keyChanged {
		p.down(s, "key rotated", true)
		p.startDial(false, false)
	}
}
