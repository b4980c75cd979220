package chat

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"tincan/core/identity"
	"tincan/core/store"
	"tincan/core/wire"
)

// Why a send on a session can fail.
var (
	errClosing   = errors.New("session is closing")
	errQueueFull = errors.New("send queue full: peer does not read")
)

// eventKind says what a session reports to its peer goroutine.
type eventKind int

const (
	evMsg     eventKind = iota + 1 // a Msg arrived
	evAck                          // an Ack arrived
	evWritten                      // Msg frames were written to the connection
	evBye                          // the peer closed the session cleanly
	evClosed                       // the connection failed or the peer broke the protocol
	evCard                         // a Card (the contact's new card) arrived
)

// event is one report from a session's reader or writer.
type event struct {
	s      *session
	kind   eventKind
	msg    wire.Msg
	card   wire.Card         // evCard
	id     store.MessageID   // evAck
	ids    []store.MessageID // evWritten
	reason string            // evBye
	err    error             // evClosed
}

// outFrame is one frame waiting in a session's send queue.
type outFrame struct {
	t  wire.Type
	b  []byte
	id store.MessageID // for Msg frames
}

// session is one established connection with a contact: a reader and a
// writer goroutine around a TLS connection, reporting to the contact's peer.
type session struct {
	m         *Manager
	conn      *tls.Conn
	raw       net.Conn
	br        *bufio.Reader
	outbound  bool // we dialed it
	remote    string
	dialAddr  string // the route address we dialed to open it; "" for an accepted one
	path      string // one of the Path constants
	relay     string // the relay's address on PathRelay
	peerName  string
	contactID int64
	peerFP    identity.Fingerprint
	localFP   identity.Fingerprint // the key of ours this session presented
	log       *slog.Logger
	lastRecv  atomic.Int64 // unix nanos of the last frame read

	events chan<- event // set by start

	mu      sync.Mutex
	queue   []outFrame
	closing bool
	wake    chan struct{} // cap 1: the queue has frames or the session closes
	done    chan struct{} // closed when the peer goroutine drops the session
}

func newSession(m *Manager, tc *tls.Conn, raw net.Conn, br *bufio.Reader, outbound bool, remote, peerName string) *session {
	s := &session{
		m: m, conn: tc, raw: raw, br: br, outbound: outbound, remote: remote, peerName: peerName,
		log:  m.log,
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	s.lastRecv.Store(time.Now().UnixNano())
	return s
}

// start runs the reader and writer, reporting to events.
func (s *session) start(events chan<- event) {
	s.events = events
	s.m.wg.Add(2)
	go s.readLoop()
	go s.writeLoop()
}

// abort closes a session whose goroutines never started.
func (s *session) abort() { s.raw.Close() }

// send queues p for the writer. It never blocks.
func (s *session) send(p wire.Payload, id store.MessageID) error {
	b, err := p.Marshal()
	if err != nil {
		return fmt.Errorf("encode %s: %w", p.Type(), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return errClosing
	}
	if len(s.queue) >= maxQueue {
		return errQueueFull
	}
	s.queue = append(s.queue, outFrame{t: p.Type(), b: b, id: id})
	s.signal()
	return nil
}

func (s *session) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// close queues Bye{reason} (none if reason is empty) after the pending
// frames; the writer flushes them within byeTimeout and closes the
// connection. Events of the session are dropped from now on.
func (s *session) close(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return
	}
	s.closing = true
	if reason != "" {
		if b, err := (wire.Bye{Reason: reason}).Marshal(); err == nil {
			s.queue = append(s.queue, outFrame{t: wire.TypeBye, b: b})
		}
	}
	s.raw.SetWriteDeadline(time.Now().Add(byeTimeout))
	close(s.done)
	s.signal()
}

// report hands ev to the peer goroutine unless the session was dropped.
func (s *session) report(ev event) bool {
	ev.s = s
	select {
	case s.events <- ev:
		return true
	case <-s.done:
		return false
	}
}

// writeLoop writes queued frames in batches until the session closes.
func (s *session) writeLoop() {
	defer s.m.wg.Done()
	defer s.raw.Close()
	bw := bufio.NewWriterSize(s.conn, 64<<10)
	for {
		select {
		case <-s.wake:
		case <-s.done:
		}
		s.mu.Lock()
		batch, closing := s.queue, s.closing
		s.queue = nil
		if closing {
			s.raw.SetWriteDeadline(time.Now().Add(byeTimeout))
		} else {
			s.raw.SetWriteDeadline(time.Now().Add(3 * s.m.cfg.KeepAlive))
		}
		s.mu.Unlock()
		var written []store.MessageID
		for _, f := range batch {
			if err := wire.WriteFrame(bw, f.t, f.b); err != nil {
				s.report(event{kind: evClosed, err: err})
				return
			}
			if f.t == wire.TypeMsg {
				written = append(written, f.id)
			}
		}
		if err := bw.Flush(); err != nil {
			s.report(event{kind: evClosed, err: fmt.Errorf("write: %w", err)})
			return
		}
		if len(written) > 0 && !s.report(event{kind: evWritten, ids: written}) {
			return
		}
		if closing {
			return
		}
	}
}

// readLoop reads frames until the connection fails, answering pings itself
// and passing messages, acks and bye to the peer goroutine.
func (s *session) readLoop() {
	defer s.m.wg.Done()
	for {
		s.raw.SetReadDeadline(time.Now().Add(3 * s.m.cfg.KeepAlive))
		t, b, err := wire.ReadFrame(s.br)
		if err != nil {
			s.report(event{kind: evClosed, err: fmt.Errorf("read: %w", asProtocol(err))})
			return
		}
		s.lastRecv.Store(time.Now().UnixNano())
		p, err := wire.Decode(t, b)
		if err != nil {
			s.report(event{kind: evClosed, err: fmt.Errorf("%w: %w", ErrProtocol, err)})
			return
		}
		var ev event
		switch p := p.(type) {
		case wire.Ping:
			if err := s.send(wire.Pong(p), store.MessageID{}); err != nil && !errors.Is(err, errClosing) {
				s.report(event{kind: evClosed, err: fmt.Errorf("answer ping: %w", err)})
				return
			}
			continue
		case wire.Pong:
			continue
		case wire.Hello:
			s.report(event{kind: evClosed, err: fmt.Errorf("%w: second hello", ErrProtocol)})
			return
		case wire.Msg:
			ev = event{kind: evMsg, msg: p}
		case wire.Ack:
			ev = event{kind: evAck, id: p.ID}
		case wire.Card:
			ev = event{kind: evCard, card: p}
		case wire.Bye:
			s.report(event{kind: evBye, reason: p.Reason})
			return
		case wire.Call:
			if h := s.m.cfg.Calls; h != nil {
				h.OnCallSignal(s.contactID, p)
			}
			continue
		case wire.Media:
			if h := s.m.cfg.Calls; h != nil {
				h.OnCallMedia(s.contactID, p.Packet)
			}
			continue
		}
		if !s.report(ev) {
			return
		}
	}
}

// asProtocol marks the frame errors that mean the peer broke the protocol.
func asProtocol(err error) error {
	if errors.Is(err, wire.ErrVersion) || errors.Is(err, wire.ErrTooLarge) || errors.Is(err, wire.ErrUnknownType) {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	return err
}
