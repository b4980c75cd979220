package link

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"

	"tincan/core/observed"
	"tincan/core/overlay"
)

// Net is the overlay.Network over TLS links. Its methods are safe for
// concurrent use.
type Net struct {
	self     overlay.GUID
	port     uint16
	cert     tls.Certificate
	dialer   Dialer
	log      *slog.Logger
	maxLinks int
	queueLen int
	tm       timings

	handler     atomic.Pointer[handlerBox]
	servesRelay atomic.Bool // announced in the hellos of links made from now on
	rep         reporter

	ctx    context.Context // done when Run's context is
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the Net starts

	mu         sync.Mutex
	state      int                         // notStarted, running, stopped
	links      map[*link]struct{}          // every established link, retiring ones too
	byGUID     map[overlay.GUID]*link      // the link in use to each peer
	byAddr     map[netip.AddrPort]*link    // the same links by the address peers know them at
	dials      map[netip.AddrPort]*dialing // dials in progress with their queued messages
	handshakes int                         // inbound handshakes in progress

	linked sync.Map // overlay.GUID -> struct{}: the peers in byGUID, readable without mu

	book *observed.Book // what peers say our address is
}

const (
	notStarted = iota
	running
	stopped
)

type handlerBox struct{ h overlay.Handler }

// Compile-time check: a Net is what the overlay sends through.
var _ overlay.Network = (*Net)(nil)
var _ overlay.Linker = (*Net)(nil)

// New checks cfg and prepares the node's TLS certificate.
func New(cfg Config) (*Net, error) {
	if len(cfg.Key) != ed25519.PrivateKeySize {
		return nil, ErrBadKey
	}
	cfg = cfg.withDefaults()
	cert, err := selfCert(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("new link net: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	self := overlay.GUIDOf(cfg.Key.Public().(ed25519.PublicKey))
	n := &Net{
		self:     self,
		port:     cfg.ListenPort,
		cert:     cert,
		dialer:   cfg.Dialer,
		log:      cfg.Logger.With("node", self.Short()),
		maxLinks: cfg.MaxLinks,
		queueLen: cfg.QueueLen,
		tm:       defaultTimings(),
		ctx:      ctx,
		cancel:   cancel,
		links:    make(map[*link]struct{}),
		byGUID:   make(map[overlay.GUID]*link),
		byAddr:   make(map[netip.AddrPort]*link),
		dials:    make(map[netip.AddrPort]*dialing),
		book:     cfg.Observations,
	}
	if n.book == nil {
		n.book = observed.New(nil)
	}
	n.rep.wake = make(chan struct{}, 1)
	n.servesRelay.Store(cfg.ServesRelay)
	return n, nil
}

// GUID returns this node's GUID.
func (n *Net) GUID() overlay.GUID { return n.self }

// SetHandler sets who receives messages and undeliverable reports. Call it
// before Run; messages that arrive with no handler set are dropped.
func (n *Net) SetHandler(h overlay.Handler) { n.handler.Store(&handlerBox{h}) }

func (n *Net) handlerOf() overlay.Handler {
	if b := n.handler.Load(); b != nil {
		return b.h
	}
	return nil
}

// Run serves links until ctx is done, then closes every link, reports what
// was still queued as undeliverable, and returns once every goroutine the
// Net started has stopped. Sends and Serves after that are refused.
func (n *Net) Run(ctx context.Context) error {
	n.mu.Lock()
	if n.state != notStarted {
		n.mu.Unlock()
		return ErrRunTwice
	}
	n.state = running
	n.mu.Unlock()

	repDone := make(chan struct{})
	repStop := make(chan struct{})
	go func() {
		defer close(repDone)
		n.runReporter(repStop)
	}()

	<-ctx.Done()
	n.mu.Lock()
	n.state = stopped
	n.mu.Unlock()
	n.cancel() // aborts dials and handshakes and closes every link
	n.wg.Wait()
	close(repStop)
	<-repDone
	n.flushReports() // what the links reported on their way out
	n.rep.close()
	return ctx.Err()
}

// Send queues m for to and returns at once. It uses the link to to.GUID if
// there is one, else a link to to.Addr (if to.GUID is zero or matches),
// else it dials to.Addr, sharing one dial among all Sends to that address.
// A failure is reported later through the Handler's HandleUndeliverable,
// never before Send returns. After Run has returned, Send drops m.
func (n *Net) Send(to overlay.Peer, m overlay.Message) {
	if m == nil {
		return
	}
	p := pending{to: to, m: m}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.state == stopped {
		n.log.Debug("send after stop dropped", "to", to, "type", m.Type())
		return
	}
	l := n.route(to)
	switch {
	case l != nil:
		if !l.enqueue(p, n.queueLen) {
			n.log.Debug("link queue full", "peer", l.peer.Short(), "type", m.Type())
			n.undeliverable(p)
		}
	case !to.Addr.IsValid():
		n.undeliverable(p)
	default:
		n.queueDial(p)
	}
}

// route returns the link in use to to, if any: by GUID first, then by
// address when the address's link is not pinned to some other GUID.
func (n *Net) route(to overlay.Peer) *link {
	if !to.GUID.IsZero() {
		if l := n.byGUID[to.GUID]; l != nil {
			return l
		}
	}
	if l := n.byAddr[to.Addr]; l != nil && (to.GUID.IsZero() || l.peer == to.GUID) {
		return l
	}
	return nil
}

// noteObserved records what the peer of l says our address is, as one
// observer's say (the book keeps one per peer and trusts none alone).
func (l *link) noteObserved(a netip.AddrPort) {
	if !known(a) {
		return
	}
	l.n.book.Note(l.peer.String(), l.remote.Addr(), a, l.inbound)
}

// Observed returns the addresses peers reported seeing this node at in
// their link hellos (and whatever else writes to the same book), most
// recent first, without duplicates: hints, each possibly one peer's word.
func (n *Net) Observed() []netip.AddrPort { return n.book.Latest() }

// Observations is the book of what peers say our address is.
func (n *Net) Observations() *observed.Book { return n.book }
