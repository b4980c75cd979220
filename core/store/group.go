package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"weak"
)

// Group commit: writers that arrive while a commit is in progress wait for
// the write lock together, and the first of them to get it runs all their
// work in one transaction: one commit, one fsync, for the whole group. Each
// writer's work runs inside its own SAVEPOINT, so an error undoes only that
// writer's changes. Nobody returns before the commit that holds their work
// is durable (synchronous=FULL, see dsn), so a caller that answers a peer
// after groupTx returns never answers for something uncommitted.

// groupReq is one writer's work waiting for a group.
type groupReq struct {
	fn    func(tx *sql.Tx) error
	state atomic.Int32 // reqWaiting, then reqTaken by a leader or reqCancelled by its caller
	done  chan error   // cap 1: the work's outcome once its group committed
}

const (
	reqWaiting int32 = iota
	reqTaken
	reqCancelled
)

// groupQueue holds the writers of one Store waiting to be taken into a group.
type groupQueue struct {
	mu      sync.Mutex
	pending []*groupReq
}

// groups maps each open Store (weakly, so a Store that is dropped is not
// kept alive) to its queue.
var groups sync.Map // weak.Pointer[Store] -> *groupQueue

// maxGroup bounds how many writers share one transaction.
const maxGroup = 1024

// groupHook, when set (by tests), runs after each group commit with the
// number of writers in the group, before any of them is told.
var groupHook func(writers int)

func (s *Store) groupQueue() *groupQueue {
	key := weak.Make(s)
	if q, ok := groups.Load(key); ok {
		return q.(*groupQueue)
	}
	q, loaded := groups.LoadOrStore(key, &groupQueue{})
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[Store]) { groups.Delete(k) }, key)
	}
	return q.(*groupQueue)
}

// groupTx runs fn in a write transaction shared with the other writers
// waiting at the same time, and returns once that transaction committed
// (fn's error, or the commit's). On an error fn's changes are undone and
// the others' are kept.
func (s *Store) groupTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	r := &groupReq{fn: fn, done: make(chan error, 1)}
	q := s.groupQueue()
	q.mu.Lock()
	q.pending = append(q.pending, r)
	q.mu.Unlock()
	for {
		select {
		case err := <-r.done:
			return err // a leader took and committed it
		case s.writing <- struct{}{}:
			select {
			case err := <-r.done: // taken by the leader before us
				<-s.writing
				return err
			default:
			}
			s.lead(ctx, q)
			<-s.writing
			// Our own request was either in the group we led or taken by
			// an earlier one; either way its outcome is waiting.
			if err, ok := tryRecv(r.done); ok {
				return err
			}
		case <-ctx.Done():
			if r.state.CompareAndSwap(reqWaiting, reqCancelled) {
				return ctx.Err()
			}
			return <-r.done // already in a group: its outcome comes
		}
	}
}

func tryRecv(c chan error) (error, bool) {
	select {
	case err := <-c:
		return err, true
	default:
		return nil, false
	}
}

// lead takes the waiting writers (holding the write lock), runs them in one
// transaction and tells each the outcome after the commit.
func (s *Store) lead(ctx context.Context, q *groupQueue) {
	q.mu.Lock()
	var group []*groupReq
	n := 0
	for _, r := range q.pending {
		if len(group) == maxGroup {
			q.pending[n] = r
			n++
			continue
		}
		if r.state.CompareAndSwap(reqWaiting, reqTaken) {
			group = append(group, r)
		}
	}
	clear(q.pending[n:])
	q.pending = q.pending[:n]
	q.mu.Unlock()
	if len(group) == 0 {
		return
	}
	errs := make([]error, len(group))
	// A writer alone needs no savepoint: its error rolls back the whole
	// transaction, which is only its own work.
	alone := len(group) == 1
	// The group outlives the leader's own cancellation: others' work is in it.
	err := s.inTx(context.WithoutCancel(ctx), nil, func(tx *sql.Tx) error {
		if alone {
			errs[0] = group[0].fn(tx)
			return errs[0]
		}
		for i, r := range group {
			errs[i] = s.savepoint(ctx, tx, r.fn)
		}
		return nil
	})
	if alone && errs[0] != nil {
		err = nil // the writer's own error (reported below); nothing of it was kept
	}
	if err == nil {
		s.wroteMessages()
		if groupHook != nil {
			groupHook(len(group))
		}
	}
	for i, r := range group {
		if err != nil {
			r.done <- err
		} else {
			r.done <- errs[i]
		}
	}
}

// savepoint runs fn inside a SAVEPOINT of tx, undoing fn's changes if it
// fails.
func (s *Store) savepoint(ctx context.Context, tx *sql.Tx, fn func(tx *sql.Tx) error) (err error) {
	ctx = context.WithoutCancel(ctx)
	exec := func(query string) error {
		st, err := s.txStmt(ctx, tx, query)
		if err == nil {
			_, err = st.ExecContext(ctx)
		}
		return err
	}
	if err := exec(qSavepoint); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			exec(qRollbackTo)
		}
		if rerr := exec(qRelease); rerr != nil && err == nil {
			err = fmt.Errorf("release savepoint: %w", rerr)
		}
	}()
	err = fn(tx)
	ok = err == nil
	return err
}

// The savepoint of each writer in a group, prepared once (see keep).
var (
	qSavepoint  = keep(`SAVEPOINT grp`)
	qRollbackTo = keep(`ROLLBACK TO grp`)
	qRelease    = keep(`RELEASE grp`)
)
