package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// The search index (messages_fts) trails the messages table: a commit that
// stores a message does not index its text, which kept ~a third of the pages
// (and a quarter of the CPU) of every delivery commit. fts_progress holds
// the highest seq indexed; the indexer adds what is past it a moment after
// writes settle, and Search adds the rest before it looks, so a search
// always sees every message. Seqs only grow (AUTOINCREMENT), so "past the
// mark" is exactly "not indexed"; the delete and update triggers touch the
// index only for rows at or below the mark.

// Indexer timing: it runs indexQuiet after the last commit, or indexMaxLag
// after the first unindexed one under steady writes, in transactions of at
// most indexChunk messages.
// (Variables so that tests can hold the indexer back.)
var (
	indexQuiet  = 500 * time.Millisecond
	indexMaxLag = 5 * time.Second
)

const indexChunk = 2000

// indexPending indexes up to limit messages past the mark (limit <= 0: all)
// in tx and moves the mark. It returns how many it indexed.
func indexPending(ctx context.Context, tx *sql.Tx, limit int) (int, error) {
	var from int64
	if err := tx.QueryRowContext(ctx, `SELECT indexed FROM fts_progress`).Scan(&from); err != nil {
		return 0, fmt.Errorf("read index mark: %w", err)
	}
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var to, n int64
	err := tx.QueryRowContext(ctx,
		`SELECT coalesce(max(seq), ?), count(*) FROM (SELECT seq FROM messages WHERE seq > ? ORDER BY seq LIMIT ?)`,
		from, from, limit).Scan(&to, &n)
	if err != nil {
		return 0, fmt.Errorf("find unindexed messages: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO messages_fts(rowid, body) SELECT seq, body FROM messages WHERE seq > ? AND seq <= ? ORDER BY seq`,
		from, to); err != nil {
		return 0, fmt.Errorf("index messages %d-%d: %w", from+1, to, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE fts_progress SET indexed = ?`, to); err != nil {
		return 0, fmt.Errorf("move index mark: %w", err)
	}
	return int(n), nil
}

// catchUpIndex indexes every message not yet indexed.
func (s *Store) catchUpIndex(ctx context.Context) error {
	return s.groupTx(ctx, func(tx *sql.Tx) error {
		_, err := indexPending(ctx, tx, 0)
		return err
	})
}

// wroteMessages wakes the indexer after a commit (never blocks).
func (s *Store) wroteMessages() {
	select {
	case s.wrote <- struct{}{}:
	default:
	}
}

// indexLoop is the indexer: it runs until stop is closed.
func (s *Store) indexLoop(stop <-chan struct{}) {
	defer close(s.indexDone)
	ctx := context.Background()
	for {
		select {
		case <-stop:
			return
		case <-s.wrote:
		}
		// Let the writes settle, but not forever.
		quiet := time.NewTimer(indexQuiet)
		lag := time.NewTimer(indexMaxLag)
	settle:
		for {
			select {
			case <-stop:
				quiet.Stop()
				lag.Stop()
				return
			case <-s.wrote:
				quiet.Reset(indexQuiet)
			case <-quiet.C:
				break settle
			case <-lag.C:
				break settle
			}
		}
		quiet.Stop()
		lag.Stop()
		for {
			var n int
			err := s.groupTx(ctx, func(tx *sql.Tx) error {
				var err error
				n, err = indexPending(ctx, tx, indexChunk)
				return err
			})
			if err != nil {
				slog.Warn("index messages for search", "err", err)
				break // the next write or search tries again
			}
			if n < indexChunk {
				break
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	}
}
