package store

import (
	"context"
	"database/sql"
)

// Statements on the delivery path are prepared once and kept: parsing SQL
// took a fifth of a message's CPU. database/sql prepares a kept *sql.Stmt
// again, once, on each connection that runs it.

// prepared returns query prepared and kept for the store's lifetime.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if old, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return old.(*sql.Stmt), nil
	}
	return st, nil
}

// kept lists the queries that run inside transactions through txStmt.
// Open prepares them before any transaction: preparing one on the pool
// from inside a transaction would wait for a second connection, and as many
// transactions as connections, each waiting so, would wait forever.
var kept []string

// keep adds query to kept and returns it (for package-level query vars).
func keep(query string) string {
	kept = append(kept, query)
	return query
}

// prepareKept prepares every kept query it can. One that does not prepare
// (a schema older than the code, as tests make) is left to txStmt, which
// prepares it for its transaction and reports its error there.
func (s *Store) prepareKept(ctx context.Context) {
	for _, q := range kept {
		s.prepared(ctx, q)
	}
}

// txStmt returns query's kept statement bound to tx (database/sql prepares
// it on tx's own connection the first time); a query that is not kept is
// prepared for tx alone.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	return tx.PrepareContext(ctx, query)
}

// closeStmts closes the kept statements (before the database closes).
func (s *Store) closeStmts() {
	s.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		s.stmts.Delete(k)
		return true
	})
}
