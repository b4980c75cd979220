package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"
)

// Search limits: a query is cut to searchTerms words of at most
// searchTermBytes bytes each, and a search returns at most searchMax hits.
const (
	searchTerms     = 8
	searchTermBytes = 64
	searchMax       = 500
)

// Search returns the chat messages (not call lines) of every contact whose
// text has all the words of query, each as a word or the start of one
// ("hel" finds "Hello"; case and accents are ignored), newest first, at most
// limit (clamped to 1..500). A query with no letters or digits finds
// nothing. It uses the FTS5 index that migration 5 builds, first indexing what
// the indexer has not reached yet (see fts.go).
func (s *Store) Search(ctx context.Context, query string, limit int) ([]Message, error) {
	match := matchExpr(query)
	if match == "" {
		return nil, nil
	}
	limit = min(max(limit, 1), searchMax)
	if err := s.catchUpIndex(ctx); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var out []Message
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx,
			`SELECT `+prefixed("m.", msgCols)+` FROM messages_fts f JOIN messages m ON m.seq = f.rowid
			 WHERE messages_fts MATCH ? AND m.kind = ? ORDER BY m.seq DESC LIMIT ?`,
			match, KindChat, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		out, err = collectMessages(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return out, nil
}

// matchExpr turns what the user typed into an FTS5 query: each run of
// letters and digits becomes a quoted prefix term, all of them required.
// Nothing the user types reaches FTS5's query syntax unquoted.
func matchExpr(query string) string {
	words := strings.FieldsFunc(query, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var terms []string
	for _, w := range words {
		if len(terms) == searchTerms {
			break
		}
		if len(w) > searchTermBytes {
			w = strings.ToValidUTF8(w[:searchTermBytes], "")
		}
		terms = append(terms, `"`+w+`"*`)
	}
	return strings.Join(terms, " ")
}

// prefixed puts p before each column of a comma-separated list.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
