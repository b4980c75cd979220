package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MessageByID returns one message of the contact, or ErrNotFound.
func (s *Store) MessageByID(ctx context.Context, contactID int64, dir Direction, id MessageID) (Message, error) {
	st, err := s.prepared(ctx, `SELECT `+msgCols+` FROM messages WHERE contact_id = ? AND direction = ? AND id = ?`)
	var m Message
	if err == nil {
		m, err = scanMessage(st.QueryRowContext(ctx, contactID, dir, id[:]))
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNotFound
		}
	}
	if err != nil {
		return Message{}, fmt.Errorf("message %x of contact %d: %w", id, contactID, err)
	}
	return m, nil
}
