package store

import (
	"context"
	"database/sql"
	"fmt"
)

// SaveIncoming commits an incoming message (state Received). It reports
// dup=true, changing nothing, when this contact already sent this ID; saved
// is then the stored message. It fails with ErrEmptyMessage,
// ErrMessageTooLong or, for an unknown contact, ErrNotFound.
func (s *Store) SaveIncoming(ctx context.Context, m Message) (saved Message, dup bool, err error) {
	err = s.Batch(ctx, func(b *Batch) (err error) {
		saved, dup, err = b.SaveIncoming(m)
		return err
	})
	if err != nil {
		return Message{}, false, fmt.Errorf("save incoming %x from contact %d: %w", m.ID, m.ContactID, err)
	}
	return saved, dup, nil
}

// History returns the last limit messages with the contact, oldest first.
// limit <= 0 means all.
func (s *Store) History(ctx context.Context, contactID int64, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var out []Message
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if err := requireContact(ctx, tx, contactID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx,
			`SELECT `+msgCols+` FROM (
				SELECT `+msgCols+` FROM messages WHERE contact_id = ? ORDER BY seq DESC LIMIT ?
			 ) ORDER BY seq`, contactID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		out, err = collectMessages(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("history of contact %d: %w", contactID, err)
	}
	return out, nil
}

// MarkRead marks all incoming messages of the contact read.
func (s *Store) MarkRead(ctx context.Context, contactID int64) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := requireContact(ctx, tx, contactID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			`UPDATE messages SET read = 1 WHERE contact_id = ? AND direction = ? AND read = 0`,
			contactID, Incoming)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark read for contact %d: %w", contactID, err)
	}
	return nil
}

// Unread counts the contact's unread incoming messages.
func (s *Store) Unread(ctx context.Context, contactID int64) (int, error) {
	var n int
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if err := requireContact(ctx, tx, contactID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx,
			`SELECT count(*) FROM messages WHERE contact_id = ? AND direction = ? AND read = 0`,
			contactID, Incoming).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("unread of contact %d: %w", contactID, err)
	}
	return n, nil
}
