package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Enqueue stores an outgoing message and its outbox entry in one transaction
// (state Queued) and returns it with Seq and At set. A zero ID is replaced by
// a random one; a zero SentAt becomes At. It fails with ErrEmptyMessage,
// ErrMessageTooLong or, for an unknown contact, ErrNotFound.
func (s *Store) Enqueue(ctx context.Context, m Message) (Message, error) {
	if err := validateBody(m.Body); err != nil {
		return Message{}, fmt.Errorf("enqueue for contact %d: %w", m.ContactID, err)
	}
	if m.ID == (MessageID{}) {
		m.ID = newMessageID()
	}
	m.Direction, m.State, m.Read = Outgoing, Queued, false
	m.At = fromNanos(toNanos(time.Now()))
	if m.SentAt.IsZero() {
		m.SentAt = m.At
	}
	m.SentAt = fromNanos(toNanos(m.SentAt))

	err := s.groupTx(ctx, func(tx *sql.Tx) error {
		ins, err := s.txStmt(ctx, tx, qEnqueueMessage)
		if err != nil {
			return err
		}
		res, err := ins.ExecContext(ctx,
			m.ContactID, m.Direction, m.ID[:], m.Body, toNanos(m.SentAt), toNanos(m.At), m.State)
		switch {
		case isForeignKey(err):
			return ErrNotFound
		case isUnique(err, "messages."):
			return fmt.Errorf("message %x already exists", m.ID)
		case err != nil:
			return err
		}
		if m.Seq, err = res.LastInsertId(); err != nil {
			return err
		}
		queue, err := s.txStmt(ctx, tx, qEnqueueOutbox)
		if err != nil {
			return err
		}
		_, err = queue.ExecContext(ctx, m.Seq, m.ContactID)
		return err
	})
	if err != nil {
		return Message{}, fmt.Errorf("enqueue for contact %d: %w", m.ContactID, err)
	}
	return m, nil
}

// Outbox returns the contact's unacknowledged outgoing messages in Seq order.
func (s *Store) Outbox(ctx context.Context, contactID int64) ([]Message, error) {
	out, err := s.contactMessages(ctx, contactID, qOutbox, contactID)
	if err != nil {
		return nil, fmt.Errorf("outbox of contact %d: %w", contactID, err)
	}
	return out, nil
}

// OutboxAfter returns up to limit of the contact's unacknowledged outgoing
// messages with Seq above after, in Seq order: what a sender has not yet
// queued, without reading again what it has.
func (s *Store) OutboxAfter(ctx context.Context, contactID, after int64, limit int) ([]Message, error) {
	out, err := s.contactMessages(ctx, contactID, qOutboxAfter, contactID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox of contact %d after %d: %w", contactID, after, err)
	}
	return out, nil
}

// contactMessages runs a kept query for messages in one read transaction,
// failing with ErrNotFound if the contact does not exist.
func (s *Store) contactMessages(ctx context.Context, contactID int64, query string, args ...any) ([]Message, error) {
	var out []Message
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if err := s.requireContact(ctx, tx, contactID); err != nil {
			return err
		}
		q, err := s.txStmt(ctx, tx, query)
		if err != nil {
			return err
		}
		rows, err := q.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		out, err = collectMessages(rows)
		return err
	})
	return out, err
}

// OutboxContacts returns the IDs of contacts that have pending messages.
func (s *Store) OutboxContacts(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT DISTINCT contact_id FROM outbox ORDER BY contact_id`)
	if err != nil {
		return nil, fmt.Errorf("outbox contacts: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("outbox contacts: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox contacts: %w", err)
	}
	return ids, nil
}

// MarkSent moves an outgoing message from Queued to Sent (no-op if already
// further). It returns ErrNotFound for an unknown contact or message.
func (s *Store) MarkSent(ctx context.Context, contactID int64, id MessageID) error {
	err := s.Batch(ctx, func(b *Batch) error { return b.MarkSent(contactID, id) })
	if err != nil {
		return fmt.Errorf("mark sent %x for contact %d: %w", id, contactID, err)
	}
	return nil
}

// MarkDelivered marks an outgoing message Delivered and removes it from the
// outbox. It reports whether the state changed (false for a repeated ack or
// an unknown ID); an unknown contact is ErrNotFound.
func (s *Store) MarkDelivered(ctx context.Context, contactID int64, id MessageID) (bool, error) {
	var changed bool
	err := s.Batch(ctx, func(b *Batch) (err error) {
		changed, err = b.MarkDelivered(contactID, id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark delivered %x for contact %d: %w", id, contactID, err)
	}
	return changed, nil
}

// ResetSent moves the contact's Sent messages back to Queued (a session died).
func (s *Store) ResetSent(ctx context.Context, contactID int64) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := s.requireContact(ctx, tx, contactID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			`UPDATE messages SET state = ?
			 WHERE state = ? AND seq IN (SELECT seq FROM outbox WHERE contact_id = ?)`,
			Queued, Sent, contactID)
		return err
	})
	if err != nil {
		return fmt.Errorf("reset sent for contact %d: %w", contactID, err)
	}
	return nil
}

// Queries run in transactions, prepared once (see keep in stmts.go).
var (
	qEnqueueMessage = keep(`INSERT INTO messages (contact_id, direction, id, body, sent_at, at, state, read)
			 VALUES (?, ?, ?, ?, ?, ?, ?, 0)`)
	qEnqueueOutbox = keep(`INSERT INTO outbox (seq, contact_id) VALUES (?, ?)`)
	qOutbox        = keep(`SELECT ` + msgCols + ` FROM messages
			 WHERE seq IN (SELECT seq FROM outbox WHERE contact_id = ?)
			 ORDER BY seq`)
	qOutboxAfter = keep(`SELECT ` + msgCols + ` FROM messages
			 WHERE seq IN (SELECT seq FROM outbox WHERE contact_id = ? AND seq > ? ORDER BY seq LIMIT ?)
			 ORDER BY seq`)
)
