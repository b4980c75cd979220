package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MessageByID returns one message of the contact, or ErrNotFound.
func (s *Store) MessageByID(ctx context.Context, contactID int64, dir Direction, id MessageID) (Message, error) {
	var m Message
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = scanMessage(tx.QueryRowContext(ctx,
			`SELECT `+msgCols+` FROM messages WHERE contact_id = ? AND direction = ? AND id = ?`,
			contactID, dir, id[:]))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return Message{}, fmt.Errorf("message %x of contact %d: %w", id, contactID, err)
	}
	return m, nil
}
