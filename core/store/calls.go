package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AddCallRecord commits a call's line in the contact's conversation: text
// such as "Missed call" or "Call, 3:12", outgoing for calls we made and
// incoming for calls we got. It is never sent; unread marks an incoming
// line the user has not seen (a missed call).
func (s *Store) AddCallRecord(ctx context.Context, contactID int64, incoming bool, text string, at time.Time, unread bool) (Message, error) {
	if err := validateBody(text); err != nil {
		return Message{}, fmt.Errorf("call record for contact %d: %w", contactID, err)
	}
	m := Message{ID: newMessageID(), ContactID: contactID, Body: text, Kind: KindCall,
		Direction: Outgoing, State: Delivered, Read: true}
	if incoming {
		m.Direction, m.State, m.Read = Incoming, Received, !unread
	}
	m.At = fromNanos(toNanos(at))
	m.SentAt = m.At
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO messages (contact_id, direction, id, body, sent_at, at, state, read, kind)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ContactID, m.Direction, m.ID[:], m.Body, toNanos(m.SentAt), toNanos(m.At), m.State, m.Read, m.Kind)
		if isForeignKey(err) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		m.Seq, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return Message{}, fmt.Errorf("call record for contact %d: %w", contactID, err)
	}
	return m, nil
}
