package impair

import (
	"bytes"
	"container/heap"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// maxDatagram is the largest UDP payload, so no datagram is ever cut.
const maxDatagram = 65535

// Proxy is a running impairing UDP proxy between A and Target.
//
// Goroutines: one reader per socket (the listen socket carries A's
// datagrams, and Target's if it sends there; the upstream socket carries
// Target's) and one scheduler that sends waiting datagrams when due. Each
// direction's model and arrival counter are guarded by that direction's
// lock, held while its datagram joins the queue, so a direction's datagrams
// enter the queue in arrival order; the queue is guarded by mu. The lock
// order is direction, then mu; the scheduler takes only mu, and sends with
// no lock held. sent is owned by the scheduler.
type Proxy struct {
	log      *slog.Logger
	listen   *net.UDPConn // A's side
	upstream *net.UDPConn // Target's side
	target   netip.AddrPort
	maxQueue int

	dirs [2]direction

	peerMu sync.Mutex
	peer   netip.AddrPort // the last source A sent from; invalid until then

	mu    sync.Mutex
	queue packetHeap
	wake  chan struct{} // a new earliest datagram; capacity 1

	sent [2]struct {
		any bool
		max uint64 // highest arrival index sent
	}

	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// direction is one way's model and counters.
type direction struct {
	mu    sync.Mutex
	model *model
	next  uint64 // arrival index of the next datagram
	count counters
}

// New validates cfg, opens the proxy's two loopback sockets and starts
// forwarding. Close stops it.
func New(cfg Config) (*Proxy, error) {
	listen := cfg.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	la, err := netip.ParseAddrPort(listen)
	if err != nil {
		return nil, fmt.Errorf("impair: listen address %q: %w", listen, err)
	}
	target := netip.AddrPortFrom(cfg.Target.Addr().Unmap(), cfg.Target.Port())
	switch {
	case !la.Addr().IsLoopback():
		return nil, fmt.Errorf("listen on %s: %w", la, ErrNotLoopback)
	case !target.IsValid() || target.Port() == 0:
		return nil, fmt.Errorf("impair: target %s is not an address and port", cfg.Target)
	case !target.Addr().IsLoopback():
		return nil, fmt.Errorf("target %s: %w", target, ErrNotLoopback)
	}
	for d, im := range []Impairment{cfg.ToTarget, cfg.FromTarget} {
		if err := im.validate(); err != nil {
			return nil, fmt.Errorf("%v: %w", Direction(d), err)
		}
	}
	maxQueue := cfg.MaxQueue
	if maxQueue <= 0 {
		maxQueue = DefaultMaxQueue
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	lc, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(la))
	if err != nil {
		return nil, fmt.Errorf("impair: listen on %s: %w", la, err)
	}
	if unmap(lc.LocalAddr().(*net.UDPAddr).AddrPort()) == target {
		lc.Close()
		return nil, fmt.Errorf("impair: target %s is the proxy's own address", target)
	}
	upAddr := netip.AddrPortFrom(netip.IPv6Loopback(), 0)
	if target.Addr().Is4() {
		upAddr = netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 0)
	}
	uc, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(upAddr))
	if err != nil {
		lc.Close()
		return nil, fmt.Errorf("impair: open the upstream socket on %s: %w", upAddr, err)
	}
	p := &Proxy{
		log:      log,
		listen:   lc,
		upstream: uc,
		target:   target,
		maxQueue: maxQueue,
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	// One PCG stream per direction: each direction's fates depend only on
	// the seed and its own datagrams, not on how the two interleave.
	p.dirs[ToTarget].model = newModel(cfg.ToTarget, cfg.Seed, 0x746f)
	p.dirs[FromTarget].model = newModel(cfg.FromTarget, cfg.Seed, 0x66726f6d)
	p.wg.Add(3)
	go p.readListen()
	go p.readUpstream()
	go p.schedule()
	log.Debug("impairing proxy up", "listen", p.Addr(), "upstream", p.UpstreamAddr(), "target", target)
	return p, nil
}

// Addr is the address A sends to (and Target may send to).
func (p *Proxy) Addr() netip.AddrPort {
	return unmap(p.listen.LocalAddr().(*net.UDPAddr).AddrPort())
}

// UpstreamAddr is the address Target sees A's datagrams come from, and the
// one it normally answers to.
func (p *Proxy) UpstreamAddr() netip.AddrPort {
	return unmap(p.upstream.LocalAddr().(*net.UDPAddr).AddrPort())
}

// Stats returns a direction's counters so far.
func (p *Proxy) Stats(d Direction) Counters {
	return p.dirs[d].count.snapshot()
}

// Close stops forwarding, drops the datagrams still waiting, closes both
// sockets and waits for the proxy's goroutines to end. Calling it again
// returns the first call's result.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		close(p.done)
		err := errors.Join(p.listen.Close(), p.upstream.Close())
		p.wg.Wait()
		if err != nil {
			p.closeErr = fmt.Errorf("impair: close: %w", err)
		}
	})
	return p.closeErr
}

// readListen reads A's datagrams (and Target's, if it sends here).
func (p *Proxy) readListen() {
	defer p.wg.Done()
	buf := make([]byte, maxDatagram)
	for {
		n, src, err := p.listen.ReadFromUDPAddrPort(buf)
		if err != nil {
			if p.stopped(err) {
				return
			}
			p.log.Debug("read on the listen socket", "err", err)
			continue
		}
		src = unmap(src)
		switch {
		case src == p.target:
			p.forward(FromTarget, buf[:n], p.learnedPeer())
		case !src.Addr().IsLoopback():
			p.dirs[ToTarget].count.in.Add(1)
			p.dirs[ToTarget].count.discarded.Add(1)
		default:
			p.peerMu.Lock()
			p.peer = src
			p.peerMu.Unlock()
			p.forward(ToTarget, buf[:n], p.target)
		}
	}
}

// readUpstream reads Target's datagrams.
func (p *Proxy) readUpstream() {
	defer p.wg.Done()
	buf := make([]byte, maxDatagram)
	for {
		n, src, err := p.upstream.ReadFromUDPAddrPort(buf)
		if err != nil {
			if p.stopped(err) {
				return
			}
			p.log.Debug("read on the upstream socket", "err", err)
			continue
		}
		if unmap(src) != p.target {
			p.dirs[FromTarget].count.in.Add(1)
			p.dirs[FromTarget].count.discarded.Add(1)
			continue
		}
		p.forward(FromTarget, buf[:n], p.learnedPeer())
	}
}

// stopped reports whether a read error means the proxy is closing.
func (p *Proxy) stopped(err error) bool {
	select {
	case <-p.done:
		return true
	default:
		return errors.Is(err, net.ErrClosed)
	}
}

// learnedPeer is A's address, or the zero AddrPort before A has sent.
func (p *Proxy) learnedPeer() netip.AddrPort {
	p.peerMu.Lock()
	defer p.peerMu.Unlock()
	return p.peer
}

// forward puts a copy of b on the queue for direction d to go to `to`,
// unless the loss models drop it or there is nowhere to send it.
func (p *Proxy) forward(d Direction, b []byte, to netip.AddrPort) {
	dir := &p.dirs[d]
	dir.count.in.Add(1)
	if !to.IsValid() {
		dir.count.discarded.Add(1)
		return
	}
	now := time.Now()
	dir.mu.Lock()
	defer dir.mu.Unlock()
	at, lost := dir.model.next(now)
	if lost {
		dir.count.dropped.Add(1)
		return
	}
	pk := &packet{at: at, dir: d, idx: dir.next, to: to, data: bytes.Clone(b)}
	dir.next++
	p.mu.Lock()
	if len(p.queue) >= p.maxQueue {
		p.mu.Unlock()
		dir.count.discarded.Add(1)
		return
	}
	heap.Push(&p.queue, pk)
	first := p.queue[0] == pk
	p.mu.Unlock()
	if first {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// schedule sends each waiting datagram when its time comes.
func (p *Proxy) schedule() {
	defer p.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var due []*packet
	for {
		due = due[:0]
		p.mu.Lock()
		now := time.Now()
		for len(p.queue) > 0 && !p.queue[0].at.After(now) {
			due = append(due, heap.Pop(&p.queue).(*packet))
		}
		wait := time.Duration(-1)
		if len(p.queue) > 0 {
			wait = p.queue[0].at.Sub(now)
		}
		p.mu.Unlock()
		if len(due) > 0 {
			for i, pk := range due {
				p.send(pk)
				due[i] = nil
			}
			continue // time has passed while sending
		}
		if wait >= 0 {
			timer.Reset(wait)
		}
		select {
		case <-p.done:
			timer.Stop()
			return
		case <-p.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// send writes one datagram to its peer from the socket that peer knows.
func (p *Proxy) send(pk *packet) {
	dir := &p.dirs[pk.dir]
	conn := p.upstream
	if pk.dir == FromTarget {
		conn = p.listen
	}
	if _, err := conn.WriteToUDPAddrPort(pk.data, pk.to); err != nil {
		dir.count.discarded.Add(1)
		p.log.Debug("send", "direction", pk.dir, "to", pk.to, "err", err)
		return
	}
	dir.count.out.Add(1)
	s := &p.sent[pk.dir]
	if s.any && pk.idx < s.max {
		dir.count.reordered.Add(1)
	} else {
		s.any, s.max = true, pk.idx
	}
}

// unmap turns an IPv4-mapped IPv6 address into plain IPv4.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
