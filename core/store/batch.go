package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Batch is a group of message updates committed in one transaction, so a
// burst of messages costs one durable commit instead of one each. A failed
// operation leaves the others in the batch in place; the batch is rolled
// back only when the function given to Store.Batch returns an error.
type Batch struct {
	s       *Store
	ctx     context.Context
	tx      *sql.Tx
	stmts   map[string]*sql.Stmt // prepared once per batch, not once per message
	checked map[int64]bool       // contacts known to exist in this transaction
}

// stmt returns query prepared in the batch's transaction.
func (b *Batch) stmt(query string) (*sql.Stmt, error) {
	if st := b.stmts[query]; st != nil {
		return st, nil
	}
	st, err := b.s.txStmt(b.ctx, b.tx, query)
	if err != nil {
		return nil, err
	}
	if b.stmts == nil {
		b.stmts = map[string]*sql.Stmt{}
	}
	b.stmts[query] = st
	return st, nil
}

// requireContact returns ErrNotFound unless the contact exists, asking the
// database once per contact and batch.
func (b *Batch) requireContact(id int64) error {
	if b.checked[id] {
		return nil
	}
	if err := b.s.requireContact(b.ctx, b.tx, id); err != nil {
		return err
	}
	if b.checked == nil {
		b.checked = map[int64]bool{}
	}
	b.checked[id] = true
	return nil
}

// Batch runs fn with a Batch and returns once everything it did is
// committed. Batches of different callers waiting at the same time share one
// transaction (group commit, see groupTx); an error from fn undoes only fn's
// changes.
func (s *Store) Batch(ctx context.Context, fn func(b *Batch) error) error {
	return s.groupTx(ctx, func(tx *sql.Tx) error { return fn(&Batch{s: s, ctx: ctx, tx: tx}) })
}

// MarkSent moves an outgoing message from Queued to Sent (no-op if already
// further). It returns ErrNotFound for an unknown contact or message.
func (b *Batch) MarkSent(contactID int64, id MessageID) error {
	if err := b.requireContact(contactID); err != nil {
		return err
	}
	st, err := b.stmt(qMarkSent)
	if err != nil {
		return err
	}
	res, err := st.ExecContext(b.ctx, Sent, contactID, Outgoing, id[:], Queued)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var one int
	err = b.tx.QueryRowContext(b.ctx,
		`SELECT 1 FROM messages WHERE contact_id = ? AND direction = ? AND id = ?`,
		contactID, Outgoing, id[:]).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// MarkDelivered marks an outgoing message Delivered and removes it from the
// outbox. It reports whether the state changed (false for a repeated ack or
// an unknown ID); an unknown contact is ErrNotFound.
func (b *Batch) MarkDelivered(contactID int64, id MessageID) (bool, error) {
	if err := b.requireContact(contactID); err != nil {
		return false, err
	}
	st, err := b.stmt(qMarkDelivered)
	if err != nil {
		return false, err
	}
	var seq int64
	err = st.QueryRowContext(b.ctx, Delivered, contactID, Outgoing, id[:], Queued, Sent).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // unknown, or delivered before
	}
	if err != nil {
		return false, err
	}
	del, err := b.stmt(qDropFromOutbox)
	if err != nil {
		return false, err
	}
	_, err = del.ExecContext(b.ctx, seq)
	return err == nil, err
}

// SaveIncoming commits an incoming message (state Received). It reports
// dup=true, changing nothing, when this contact already sent this ID; saved
// is then the stored message.
func (b *Batch) SaveIncoming(m Message) (saved Message, dup bool, err error) {
	if err := validateBody(m.Body); err != nil {
		return Message{}, false, err
	}
	m.Direction, m.State, m.Read = Incoming, Received, false
	m.At = fromNanos(toNanos(time.Now()))
	m.SentAt = fromNanos(toNanos(m.SentAt))
	st, err := b.stmt(qSaveIncoming)
	if err != nil {
		return Message{}, false, err
	}
	err = st.QueryRowContext(b.ctx, m.ContactID, m.Direction, m.ID[:], m.Body, toNanos(m.SentAt), toNanos(m.At), m.State).Scan(&m.Seq)
	switch {
	case isForeignKey(err):
		return Message{}, false, ErrNotFound
	case errors.Is(err, sql.ErrNoRows):
		m, err = scanMessage(b.tx.QueryRowContext(b.ctx,
			`SELECT `+msgCols+` FROM messages WHERE contact_id = ? AND direction = ? AND id = ?`,
			m.ContactID, Incoming, m.ID[:]))
		return m, err == nil, err
	case err != nil:
		return Message{}, false, err
	}
	return m, false, nil
}

// Queries run in transactions, prepared once (see keep in stmts.go).
var (
	qMarkSent      = keep(`UPDATE messages SET state = ? WHERE contact_id = ? AND direction = ? AND id = ? AND state = ?`)
	qMarkDelivered = keep(`UPDATE messages SET state = ?
		 WHERE contact_id = ? AND direction = ? AND id = ? AND state IN (?, ?)
		 RETURNING seq`)
	qDropFromOutbox = keep(`DELETE FROM outbox WHERE seq = ?`)
	qSaveIncoming   = keep(`INSERT INTO messages (contact_id, direction, id, body, sent_at, at, state, read)
		 VALUES (?, ?, ?, ?, ?, ?, ?, 0)
		 ON CONFLICT (contact_id, direction, id) DO NOTHING
		 RETURNING seq`)
)
