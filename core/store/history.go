package store

import (
	"context"
	"database/sql"
	"errors"
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
		if err := s.requireContact(ctx, tx, contactID); err != nil {
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
		if err := s.requireContact(ctx, tx, contactID); err != nil {
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
		if err := s.requireContact(ctx, tx, contactID); err != nil {
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

// pageMax bounds one page of history, so a caller cannot ask for a
// conversation of any size at once through the paging calls.
const pageMax = 1000

// HistoryBefore returns up to limit messages with the contact stored before
// the message with ID before (either direction), oldest first: the page
// above the oldest message shown. An ID that is not the contact's gives
// ErrNotFound. limit is clamped to 1..1000.
func (s *Store) HistoryBefore(ctx context.Context, contactID int64, before MessageID, limit int) ([]Message, error) {
	ms, err := s.page(ctx, contactID, before, limit,
		`SELECT `+msgCols+` FROM (
			SELECT `+msgCols+` FROM messages WHERE contact_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?
		 ) ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("history of contact %d before %x: %w", contactID, before, err)
	}
	return ms, nil
}

// HistoryAfter returns up to limit messages with the contact stored after
// the message with ID after, oldest first: the page below the newest
// message shown. An ID that is not the contact's gives ErrNotFound. limit
// is clamped to 1..1000.
func (s *Store) HistoryAfter(ctx context.Context, contactID int64, after MessageID, limit int) ([]Message, error) {
	ms, err := s.page(ctx, contactID, after, limit,
		`SELECT `+msgCols+` FROM messages WHERE contact_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
	if err != nil {
		return nil, fmt.Errorf("history of contact %d after %x: %w", contactID, after, err)
	}
	return ms, nil
}

// page runs query (contact, seq, limit) from the seq of the contact's
// message with ID id.
func (s *Store) page(ctx context.Context, contactID int64, id MessageID, limit int, query string) ([]Message, error) {
	limit = min(max(limit, 1), pageMax)
	var out []Message
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if err := s.requireContact(ctx, tx, contactID); err != nil {
			return err
		}
		var seq int64
		// direction IN (...) lets SQLite use the (contact_id, direction, id) index.
		err := tx.QueryRowContext(ctx,
			`SELECT seq FROM messages WHERE contact_id = ? AND direction IN (1, 2) AND id = ?`,
			contactID, id[:]).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("message %x: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, query, contactID, seq, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		out, err = collectMessages(rows)
		return err
	})
	return out, err
}

// LastMessages returns each contact's newest message, by contact ID;
// contacts with no messages are left out.
func (s *Store) LastMessages(ctx context.Context) (map[int64]Message, error) {
	out := map[int64]Message{}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx,
			`SELECT `+msgCols+` FROM messages WHERE seq IN (
				SELECT (SELECT max(seq) FROM messages WHERE contact_id = c.id) FROM contacts c
			 )`)
		if err != nil {
			return err
		}
		defer rows.Close()
		ms, err := collectMessages(rows)
		for _, m := range ms {
			out[m.ContactID] = m
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("last messages: %w", err)
	}
	return out, nil
}
