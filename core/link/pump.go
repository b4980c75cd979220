package link

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"time"

	"tincan/core/overlay"
)

// batchBytes is how many bytes of frames the writer gathers per write.
const batchBytes = 32 << 10

// run starts the writer and reads until the link closes. The caller holds
// one count of the Net's WaitGroup, which run gives back.
func (l *link) run() {
	defer l.n.wg.Done()
	l.n.wg.Add(1)
	go l.writeLoop()
	l.readLoop()
	l.close()
	<-l.writerDone
	l.release()
}

// readLoop delivers frames to the Handler until the link ends.
func (l *link) readLoop() {
	n := l.n
	log := n.log.With("peer", l.peer.Short(), "addr", l.addr)
	br := bufio.NewReaderSize(l.conn, 16<<10)
	for {
		d := n.tm.idle
		if l.isRetiring() {
			d = n.tm.drain
		}
		if err := l.raw.SetReadDeadline(time.Now().Add(d)); err != nil {
			l.close()
			return
		}
		m, err := overlay.ReadFrame(br)
		if err != nil {
			switch {
			case errors.Is(err, overlay.ErrMalformed) || errors.Is(err, overlay.ErrTooLarge):
				log.Warn("closing link: bad frame", "err", err)
			case errors.Is(err, io.EOF):
				// The peer's close_notify: it is done sending. Send what
				// is queued, then close.
				n.retire(l)
				select {
				case <-l.writerDone:
				case <-l.ctx.Done():
				}
			default:
				if l.ctx.Err() == nil {
					log.Debug("link closed", "err", err)
				}
			}
			l.close()
			return
		}
		l.framesIn.Add(1)
		l.lastIn.Store(time.Now().UnixNano())
		if h := n.handlerOf(); h != nil {
			h.HandleMessage(l.peerInfo(), m)
		}
	}
}

// writeLoop writes queued frames in batches until the link closes or, once
// retiring, until the queue is empty.
func (l *link) writeLoop() {
	n := l.n
	defer n.wg.Done()
	defer close(l.writerDone)
	var (
		buf   bytes.Buffer
		batch []pending
	)
	for {
		l.mu.Lock()
		batch, l.queue = l.queue, batch[:0]
		retiring := l.retiring
		l.mu.Unlock()
		if len(batch) == 0 {
			if retiring {
				// Our close_notify; the reader waits for the peer's.
				_ = l.raw.SetWriteDeadline(time.Now().Add(n.tm.write))
				_ = l.conn.CloseWrite()
				_ = l.raw.SetReadDeadline(time.Now().Add(n.tm.drain))
				l.stop(nil)
				return
			}
			select {
			case <-l.wake:
				continue
			case <-l.ctx.Done():
				l.stop(nil)
				return
			}
		}
		if l.ctx.Err() != nil {
			l.stop(batch)
			return
		}
		if sent, ok := l.write(&buf, batch); !ok {
			l.close()
			l.stop(sent)
			return
		}
		clear(batch) // drop references to sent messages
	}
}

// write sends batch, packing frames into writes of about batchBytes. A
// message that does not encode is reported undeliverable here and left out
// of the returned slice, the messages write tried to send; on a write error
// the caller reports those and ends the link.
func (l *link) write(buf *bytes.Buffer, batch []pending) ([]pending, bool) {
	n := l.n
	buf.Reset()
	frames := 0
	flush := func() bool {
		if buf.Len() == 0 {
			return true
		}
		_ = l.raw.SetWriteDeadline(time.Now().Add(n.tm.write))
		if _, err := l.conn.Write(buf.Bytes()); err != nil {
			if l.ctx.Err() == nil {
				n.log.Debug("link write failed", "peer", l.peer.Short(), "err", err)
			}
			return false
		}
		buf.Reset()
		l.framesOut.Add(uint64(frames))
		l.lastOut.Store(time.Now().UnixNano())
		frames = 0
		return true
	}
	sent := batch[:0]
	for _, p := range batch {
		mark := buf.Len()
		if err := overlay.WriteFrame(buf, p.m); err != nil {
			buf.Truncate(mark)
			n.log.Warn("message does not encode", "to", p.to, "type", p.m.Type(), "err", err)
			n.undeliverable(p)
			continue
		}
		sent = append(sent, p)
		frames++
		if buf.Len() >= batchBytes && !flush() {
			return sent, false
		}
	}
	return sent, flush()
}

// stop marks the writer gone and reports unsent messages undeliverable:
// failed (a batch that may not have gone out) and whatever is still queued.
func (l *link) stop(failed []pending) {
	l.mu.Lock()
	l.dead = true
	rest := l.queue
	l.queue = nil
	l.mu.Unlock()
	l.n.undeliverable(failed...)
	l.n.undeliverable(rest...)
}
