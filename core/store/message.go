package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
)

// ErrEmptyMessage means a message body is empty or only white space.
var ErrEmptyMessage = errors.New("message is empty")

const msgCols = `seq, contact_id, direction, id, body, sent_at, at, state, read, kind`

// validateBody applies the body rules shared by both directions.
func validateBody(body string) error {
	if len(body) > MaxBody {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrMessageTooLong, len(body), MaxBody)
	}
	if strings.TrimSpace(body) == "" {
		return ErrEmptyMessage
	}
	return nil
}

// newMessageID returns a random message ID.
func newMessageID() MessageID {
	var id MessageID
	rand.Read(id[:]) // never fails (crypto/rand panics instead)
	return id
}

func scanMessage(r scanner) (Message, error) {
	var m Message
	var id []byte
	var sentAt, at int64
	err := r.Scan(&m.Seq, &m.ContactID, &m.Direction, &id, &m.Body, &sentAt, &at, &m.State, &m.Read, &m.Kind)
	if err != nil {
		return Message{}, err
	}
	if len(id) != len(m.ID) {
		return Message{}, fmt.Errorf("message %d: stored ID has %d bytes", m.Seq, len(id))
	}
	copy(m.ID[:], id)
	m.SentAt = fromNanos(sentAt)
	m.At = fromNanos(at)
	return m, nil
}

// collectMessages scans all rows of a message query.
func collectMessages(r interface {
	scanner
	Next() bool
	Err() error
}) ([]Message, error) {
	var out []Message
	for r.Next() {
		m, err := scanMessage(r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, r.Err()
}
