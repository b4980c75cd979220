package relay

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Server pairs relay connections by token and splices each pair.
type Server struct {
	cfg     Config
	log     *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	enabled atomic.Bool

	mu      sync.Mutex
	closed  bool
	waiting map[Token]*waiter
	active  int // paired sessions, including pairs being set up
	wg      sync.WaitGroup

	rate     atomic.Int64  // bytes per second per direction for new sessions; 0: no limit
	sessions atomic.Uint64 // paired since start
	bytes    atomic.Uint64 // relayed since start, both directions
	refused  atomic.Uint64 // requests answered with anything but OK, or dropped
}

// Stats is a snapshot of a Server's load, for `status --json`.
type Stats struct {
	Enabled      bool   `json:"enabled"`
	Active       int    `json:"active"`        // paired sessions now
	Waiting      int    `json:"waiting"`       // connections waiting for a partner now
	Sessions     uint64 `json:"sessions"`      // sessions paired since start
	BytesRelayed uint64 `json:"bytes_relayed"` // both directions, since start
	Refused      uint64 `json:"refused"`       // connections turned away or dropped unpaired
	MaxSessions  int    `json:"max_sessions"`  // the session cap now
	Rate         int64  `json:"rate"`          // bytes per second per direction for new sessions; 0: no limit
}

// NewServer returns a relay server with cfg's limits; Close stops it.
func NewServer(cfg Config) *Server {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, waiting: make(map[Token]*waiter)}
	s.enabled.Store(!cfg.Disabled)
	s.rate.Store(cfg.BytesPerSecond)
	return s
}

// SetLimits changes the session cap and the per-direction rate (bytes per
// second, 0: no limit) for sessions paired from now on; maxSessions <= 0
// keeps the current cap.
func (s *Server) SetLimits(maxSessions int, bytesPerSecond int64) {
	s.mu.Lock()
	if maxSessions > 0 {
		s.cfg.MaxSessions = maxSessions
	}
	s.mu.Unlock()
	s.rate.Store(max(bytesPerSecond, 0))
}

// SetEnabled turns relaying on or off for new requests; sessions already
// paired carry on.
func (s *Server) SetEnabled(on bool) { s.enabled.Store(on) }

// Stats reports the server's current load and totals.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	active, waiting, capSessions := s.active, len(s.waiting), s.cfg.MaxSessions
	s.mu.Unlock()
	return Stats{
		MaxSessions:  capSessions,
		Rate:         s.rate.Load(),
		Enabled:      s.enabled.Load(),
		Active:       active,
		Waiting:      waiting,
		Sessions:     s.sessions.Load(),
		BytesRelayed: s.bytes.Load(),
		Refused:      s.refused.Load(),
	}
}

// Close stops the server: it closes every waiting and relayed connection and
// returns once all of the server's goroutines (and Handle calls) have ended.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// Handle serves one connection whose Prefix byte has already been read, and
// always closes c. It blocks: until c is refused, or until the wait or
// session c is part of ends (the first connection of a pair also carries on
// for a partner that takes its place if it leaves as the partner arrives).
// It returns promptly when ctx ends or Close is called.
func (s *Server) Handle(ctx context.Context, c net.Conn) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()

	tok, ok := s.readRequest(ctx, c)
	if !ok {
		return
	}
	s.join(ctx, c, tok)
}

// readRequest reads and checks c's request; on failure it answers if it can,
// closes c and reports false.
func (s *Server) readRequest(ctx context.Context, c net.Conn) (Token, bool) {
	c.SetReadDeadline(time.Now().Add(s.cfg.RequestTimeout))
	unblock := context.AfterFunc(ctx, func() { c.SetReadDeadline(time.Unix(1, 0)) })
	var buf [requestSize]byte
	_, err := io.ReadFull(c, buf[:])
	if !unblock() || err != nil {
		s.log.Debug("relay request unread", "remote", c.RemoteAddr(), "err", err)
		s.refused.Add(1)
		c.Close()
		return Token{}, false
	}
	c.SetReadDeadline(time.Time{})
	tok, err := parseRequest(buf[:])
	if err != nil {
		s.log.Debug("relay request refused", "remote", c.RemoteAddr(), "err", err)
		s.refuse(c, statusBadRequest)
		return Token{}, false
	}
	return tok, true
}

// join pairs c with the connection waiting on tok, or makes c wait for one.
func (s *Server) join(ctx context.Context, c net.Conn, tok Token) {
	if !s.enabled.Load() {
		s.refuse(c, statusRefused)
		return
	}
	s.mu.Lock()
	if w := s.waiting[tok]; w != nil {
		switch {
		case w.partner != nil || w.verdict != statusOK:
			s.mu.Unlock()
			s.refuse(c, statusTokenInUse)
		case s.active >= s.cfg.MaxSessions:
			// Tell both sides now rather than let the waiter time out.
			w.verdict = statusBusy
			delete(s.waiting, tok)
			close(w.claimed)
			s.mu.Unlock()
			s.refuse(c, statusBusy)
		default:
			w.partner = c
			s.active++
			close(w.claimed)
			s.mu.Unlock()
			// The waiter's goroutine owns c now; it closes c when done.
			select {
			case <-w.done:
			case <-ctx.Done():
				c.Close()
				<-w.done
			}
		}
		return
	}
	if s.active >= s.cfg.MaxSessions || len(s.waiting) >= s.cfg.MaxWaiting {
		s.mu.Unlock()
		s.refuse(c, statusBusy)
		return
	}
	w := &waiter{c: c, claimed: make(chan struct{}), done: make(chan struct{})}
	s.waiting[tok] = w
	s.mu.Unlock()
	s.wait(ctx, tok, w)
}

// refuse answers c with st (best effort) and closes it.
func (s *Server) refuse(c net.Conn, st status) {
	s.refused.Add(1)
	s.answer(c, st)
	c.Close()
}

// answer writes st to c within writeTimeout.
func (s *Server) answer(c net.Conn, st status) error {
	c.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := c.Write(appendResponse(nil, st))
	c.SetWriteDeadline(time.Time{})
	return err
}
