package store

import (
	"context"
	"fmt"
)

// migrations are the schema steps in order; the database's user_version is
// the number of steps applied. Append new steps, never edit old ones.
var migrations = [][]string{
	// 1: contacts, messages, outbox, settings.
	{
		`CREATE TABLE contacts (
			id          INTEGER PRIMARY KEY,
			name        TEXT    NOT NULL UNIQUE,
			card        TEXT    NOT NULL,
			public_key  BLOB    NOT NULL,
			fingerprint BLOB    NOT NULL UNIQUE,
			secret_id   BLOB    NOT NULL,
			addr        TEXT    NOT NULL DEFAULT '',
			added_at    INTEGER NOT NULL
		)`,
		`CREATE TABLE messages (
			seq        INTEGER PRIMARY KEY AUTOINCREMENT,
			contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
			direction  INTEGER NOT NULL CHECK (direction IN (1, 2)),
			id         BLOB    NOT NULL CHECK (length(id) = 16),
			body       TEXT    NOT NULL,
			sent_at    INTEGER NOT NULL,
			at         INTEGER NOT NULL,
			state      INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),
			read       INTEGER NOT NULL DEFAULT 0,
			UNIQUE (contact_id, direction, id)
		)`,
		// History scans a contact's messages by seq.
		`CREATE INDEX messages_contact_seq ON messages (contact_id, seq)`,
		`CREATE TABLE outbox (
			seq        INTEGER PRIMARY KEY REFERENCES messages(seq) ON DELETE CASCADE,
			contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE
		)`,
		`CREATE INDEX outbox_contact_seq ON outbox (contact_id, seq)`,
		`CREATE TABLE settings (
			key   TEXT PRIMARY KEY,
			value TEXT NOT NULL
		)`,
	},
	// 2: rotation: revoked contacts, card updates waiting for an ack, and
	// the journal of a rotation in progress.
	{
		`ALTER TABLE contacts ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0`,
		`CREATE TABLE card_updates (
			contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
			id         BLOB    NOT NULL CHECK (length(id) = 16),
			card       TEXT    NOT NULL,
			pinned_fp  BLOB    NOT NULL,
			at         INTEGER NOT NULL
		)`,
		`CREATE TABLE rotation (
			one       INTEGER PRIMARY KEY CHECK (one = 1),
			card      TEXT    NOT NULL,
			pinned_fp BLOB    NOT NULL,
			keep      TEXT    NOT NULL,
			revoke    TEXT    NOT NULL
		)`,
	},
	// 3: calls leave a line in the conversation: a message of kind 1
	// (never in the outbox, never sent).
	{
		`ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0 CHECK (kind IN (0, 1))`,
	},
	// 4: presence: the address we last reached each contact at (by a dial
	// of ours), tried first on the next start, and when.
	{
		`ALTER TABLE contacts ADD COLUMN last_addr TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE contacts ADD COLUMN last_addr_at INTEGER NOT NULL DEFAULT 0`,
	},
	// 5: search: an FTS5 index of message text (external content: the
	// text stays in messages), kept by triggers, and the messages already
	// stored indexed now. Prefix queries ("hel*") use the prefix index.
	{
		`CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='seq',
			tokenize='unicode61 remove_diacritics 2', prefix='2 3')`,
		`CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
			INSERT INTO messages_fts(rowid, body) VALUES (new.seq, new.body);
		END`,
		`CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
			INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
		END`,
		`CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages BEGIN
			INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
			INSERT INTO messages_fts(rowid, body) VALUES (new.seq, new.body);
		END`,
		`INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')`,
	},
	// 6: the search index trails the messages (see fts.go): no insert
	// trigger; fts_progress marks the highest seq indexed (everything, at
	// this step); deletes and edits touch the index only at or below it.
	{
		`CREATE TABLE fts_progress (
			one     INTEGER PRIMARY KEY CHECK (one = 1),
			indexed INTEGER NOT NULL
		)`,
		`INSERT INTO fts_progress (one, indexed) SELECT 1, coalesce(max(seq), 0) FROM messages`,
		`DROP TRIGGER messages_fts_ai`,
		`DROP TRIGGER messages_fts_ad`,
		`DROP TRIGGER messages_fts_au`,
		`CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages
			WHEN old.seq <= (SELECT indexed FROM fts_progress) BEGIN
			INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
		END`,
		`CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages
			WHEN old.seq <= (SELECT indexed FROM fts_progress) BEGIN
			INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
			INSERT INTO messages_fts(rowid, body) VALUES (new.seq, new.body);
		END`,
	},
}

// migrate applies pending migrations, each in its own transaction, and fails
// with ErrSchemaTooNew if the database is ahead of this code.
func (s *Store) migrate(ctx context.Context) error {
	for {
		done, err := s.migrateStep(ctx)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next pending migration, or reports done. The
// version is read inside the write transaction, so two processes opening
// the same database at once do not both apply a step.
func (s *Store) migrateStep(ctx context.Context) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()

	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return false, fmt.Errorf("migrate: read version: %w", err)
	}
	switch {
	case version > len(migrations):
		return false, fmt.Errorf("%w: schema version %d, this build knows %d",
			ErrSchemaTooNew, version, len(migrations))
	case version == len(migrations):
		return true, nil
	}
	for _, stmt := range migrations[version] {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migrate to %d: %w", version+1, err)
		}
	}
	// PRAGMA takes no parameters; version is an int we computed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, version+1)); err != nil {
		return false, fmt.Errorf("migrate to %d: set version: %w", version+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate to %d: commit: %w", version+1, err)
	}
	return false, nil
}
