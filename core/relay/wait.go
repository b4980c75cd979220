package relay

import (
	"context"
	"errors"
	"net"
	"os"
	"time"
)

// waiter is a connection waiting for its partner. Its fields other than done
// are guarded by Server.mu.
type waiter struct {
	c       net.Conn
	claimed chan struct{} // closed when partner or verdict is set
	partner net.Conn      // the connection that presented the same token
	verdict status        // statusBusy: the pair was turned away
	done    chan struct{} // closed when the waiter's goroutine has finished
}

// wait runs in the goroutine of the first connection of a pair: it holds w
// in s.waiting until a partner claims it, it times out, its connection goes
// away, or ctx ends; then it runs the session.
func (s *Server) wait(ctx context.Context, tok Token, w *waiter) {
	defer close(w.done)
	for {
		s.mu.Lock()
		c, claimed := w.c, w.claimed
		s.mu.Unlock()

		timer := time.NewTimer(s.cfg.PairTimeout)
		wt := watch(c)
		why := statusOK
		select {
		case <-claimed:
		case <-timer.C:
			why = statusTimeout
		case <-wt.done:
		case <-ctx.Done():
		}
		timer.Stop()

		s.mu.Lock()
		partner, verdict := w.partner, w.verdict
		if partner == nil && verdict == statusOK {
			delete(s.waiting, tok)
		}
		s.mu.Unlock()
		alive := wt.stop()

		if partner == nil {
			if verdict != statusOK {
				why = verdict
			}
			s.refused.Add(1)
			if alive && why != statusOK {
				s.answer(c, why)
			}
			c.Close()
			return
		}
		if !alive {
			// The waiting side left as its partner arrived: the partner waits
			// in its place.
			s.mu.Lock()
			w.c, w.partner, w.claimed = partner, nil, make(chan struct{})
			s.active--
			s.mu.Unlock()
			c.Close()
			continue
		}
		s.mu.Lock()
		delete(s.waiting, tok)
		s.mu.Unlock()
		s.session(ctx, c, partner)
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
		return
	}
}

// watcher notices a waiting connection closing (or breaking protocol by
// sending early) by reading from it.
type watcher struct {
	c    net.Conn
	done chan struct{}
	n    int
	err  error
}

func watch(c net.Conn) *watcher {
	w := &watcher{c: c, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		var b [1]byte
		w.n, w.err = c.Read(b[:])
	}()
	return w
}

// stop ends the watcher's read and reports whether the connection is still
// fit to relay: nothing read, and no error but the one stop caused.
func (w *watcher) stop() bool {
	w.c.SetReadDeadline(time.Unix(1, 0))
	<-w.done
	w.c.SetReadDeadline(time.Time{})
	return w.n == 0 && errors.Is(w.err, os.ErrDeadlineExceeded)
}
