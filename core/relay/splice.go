package relay

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// session tells both sides they are paired, then splices them until one
// closes, the session idles or exceeds MaxBytes, or ctx ends. It closes both.
func (s *Server) session(ctx context.Context, a, b net.Conn) {
	defer a.Close()
	defer b.Close()
	if err := s.answer(a, statusOK); err != nil {
		return
	}
	if err := s.answer(b, statusOK); err != nil {
		return
	}
	s.sessions.Add(1)
	s.log.Debug("relay session start", "a", a.RemoteAddr(), "b", b.RemoteAddr())
	start := time.Now()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { a.Close(); b.Close() })
	defer stop()

	sp := &splice{s: s, cancel: cancel}
	sp.last.Store(time.Now().UnixNano())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); sp.pipe(ctx, a, b) }()
	go func() { defer wg.Done(); sp.pipe(ctx, b, a) }()
	wg.Wait()
	s.log.Debug("relay session end", "a", a.RemoteAddr(), "b", b.RemoteAddr(),
		"bytes", sp.total.Load(), "duration", time.Since(start).Round(time.Millisecond), "reason", sp.reason())
}

// splice is the state the two directions of a session share.
type splice struct {
	s       *Server
	cancel  context.CancelFunc
	last    atomic.Int64 // unix nanos of the last byte read or written either way
	closeBy atomic.Int64 // unix nanos by which the session ends, once one side has sent EOF; 0 before
	total   atomic.Int64 // bytes read, both ways
	why     atomic.Value // string: why the session ended first
}

func (sp *splice) end(why string) {
	sp.why.CompareAndSwap(nil, why)
	sp.cancel()
}

func (sp *splice) reason() string {
	if r, ok := sp.why.Load().(string); ok {
		return r
	}
	return "closed"
}

func (sp *splice) touch() { sp.last.Store(time.Now().UnixNano()) }

// readDeadline is when a read must give up: IdleTimeout after the last
// activity, or closeBy if that is sooner.
func (sp *splice) readDeadline() time.Time {
	dl := time.Unix(0, sp.last.Load()).Add(sp.s.cfg.IdleTimeout)
	if cb := sp.closeBy.Load(); cb != 0 && time.Unix(0, cb).Before(dl) {
		dl = time.Unix(0, cb)
	}
	return dl
}

// halfClose passes src's EOF on to dst and gives dst's direction closeGrace
// to finish. It reports false if dst cannot be half-closed.
func (sp *splice) halfClose(dst net.Conn) bool {
	cw, ok := dst.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return false
	}
	cb := time.Now().Add(min(closeGrace, sp.s.cfg.IdleTimeout))
	sp.closeBy.Store(cb.UnixNano())
	dst.SetReadDeadline(cb) // cuts short the other direction's pending read
	return true
}

// pipe copies src to dst. A clean EOF from src is passed on as a half-close of
// dst and leaves the other direction running; anything else ends the session.
func (sp *splice) pipe(ctx context.Context, src, dst net.Conn) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	var lim *bucket
	if rate := sp.s.rate.Load(); rate > 0 {
		lim = newBucket(rate, bufSize)
		// Reads of about 1/8 s worth keep a slow rate smooth.
		buf = buf[:min(bufSize, max(1024, rate/8))]
	}
	for {
		dl := sp.readDeadline()
		src.SetReadDeadline(dl)
		if again := sp.readDeadline(); again.Before(dl) {
			src.SetReadDeadline(again) // halfClose ran in between
		}
		n, err := src.Read(buf)
		if n > 0 && !sp.forward(ctx, lim, dst, buf[:n]) {
			return
		}
		switch {
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() == nil:
			if cb := sp.closeBy.Load(); cb != 0 && time.Now().UnixNano() >= cb {
				sp.end("other side closed")
				return
			}
			if time.Since(time.Unix(0, sp.last.Load())) < sp.s.cfg.IdleTimeout {
				continue // the other direction was busy
			}
			sp.end("idle")
			return
		case errors.Is(err, io.EOF):
			if !sp.halfClose(dst) {
				sp.end("closed")
			}
			return
		default:
			sp.end("read: " + err.Error())
			return
		}
	}
}

// forward writes p, read from the other side, to dst within the session's
// limits. It reports false if the session has ended.
func (sp *splice) forward(ctx context.Context, lim *bucket, dst net.Conn, p []byte) bool {
	cfg := &sp.s.cfg
	sp.touch()
	t := sp.total.Add(int64(len(p)))
	over := cfg.MaxBytes > 0 && t > cfg.MaxBytes
	if over {
		p = p[:len(p)-int(min(t-cfg.MaxBytes, int64(len(p))))]
	}
	if err := lim.wait(ctx, len(p)); err != nil {
		sp.end("closed")
		return false
	}
	dst.SetWriteDeadline(time.Now().Add(cfg.IdleTimeout))
	n, err := dst.Write(p)
	sp.s.bytes.Add(uint64(n))
	if err != nil {
		sp.end("write: " + err.Error())
		return false
	}
	sp.touch()
	if over {
		sp.end("max bytes")
		return false
	}
	return true
}
