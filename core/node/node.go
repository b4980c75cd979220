package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"tincan/core/chat"
	"tincan/core/contact"
	"tincan/core/control"
	"tincan/core/identity"
	"tincan/core/portmap"
	"tincan/core/store"
)

// DBFile is the name of the SQLite database inside a home dir.
const DBFile = "tincan.db"

// Options configure a node.
type Options struct {
	Home      string            // data dir; created owner-only if missing
	Keystore  identity.Keystore // where the master key lives
	Listen    string            // "host:port" for chat sessions; "" for none
	Logger    *slog.Logger      // nil: slog.Default()
	Locator   chat.Locator      // nil: the address stored with each contact
	Dialer    chat.Dialer       // nil: a net.Dialer
	Control   bool              // serve the control socket in Home (one node per home)
	Overlay   OverlayOptions    // how to join the overlay
	Relay     RelayOptions      // whether to use and to serve relays
	NoPortMap bool              // never ask the router to map our port (UPnP / NAT-PMP)
	STUN      []string          // extra STUN servers ("IP:port") for NAT detection, after our overlay peers
	Audio     AudioOptions      // the call audio device
}

// Node is one running tincan: identity, store and chat sessions.
type Node struct {
	views       viewCache // names and messages for events (viewcache.go)
	home        string
	ks          identity.Keystore
	selfMu      sync.RWMutex
	id          *identity.Identity // read through self(): a rotation replaces it
	card        contact.Card
	rotMu       sync.Mutex // one rotation (or retired-key cleanup) at a time
	st          *store.Store
	chat        *chat.Manager
	ln          net.Listener
	router      *router         // chat's routes; nil when a test supplies its own Dialer
	relay       *relayPart      // relay policy, consent and service
	portmap     *portmap.Keeper // nil: no port mapping asked for
	nat         *natPart        // STUN answers and NAT detection; nil without a UDP port
	plainDialer chat.Dialer     // opens TCP connections with no prefix
	mux         *mux            // splits ln between chat and the overlay
	ov          *overlayPart    // nil when the overlay is disabled
	calls       *callPart       // voice calls
	ctl         *control.Server
	log         *slog.Logger
	started     time.Time

	raw  *queue[chat.Event]
	subs subscribers

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Create makes a new identity for home, generating its keys (this takes a
// moment) and storing the master key in ks. It fails if home already has one.
func Create(home string, ks identity.Keystore, name string) error {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("create home %s: %w", home, err)
	}
	if _, err := os.Stat(filepath.Join(home, "identity.sealed")); err == nil {
		return badInput(fmt.Errorf("%s already has an identity", home))
	}
	id, err := identity.Generate(name)
	if err != nil {
		if errors.Is(err, identity.ErrBadName) {
			return badInput(err)
		}
		return fmt.Errorf("generate identity: %w", err)
	}
	if err := identity.Save(home, ks, id); err != nil {
		return fmt.Errorf("save identity: %w", err)
	}
	return nil
}

// Open starts the node of an existing home. It returns an error wrapping
// identity.ErrNoIdentity on first run, when Create must be called first.
func Open(opts Options) (*Node, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	home, err := filepath.Abs(opts.Home)
	if err != nil {
		return nil, fmt.Errorf("home %s: %w", opts.Home, err)
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("create home %s: %w", home, err)
	}
	id, err := identity.Load(home, opts.Keystore)
	if err != nil {
		return nil, fmt.Errorf("load identity: %w", err)
	}
	n := &Node{home: home, ks: opts.Keystore, id: id, card: contact.CardOf(id), log: log, started: time.Now(), raw: newQueue[chat.Event]()}
	if opts.Control {
		// First, so that a second node on the same home stops before touching the store.
		n.ctl, err = control.Listen(home, n.Handle, ExitCode, log.With("part", "control"))
		if err != nil {
			return nil, err
		}
	}
	if err := n.start(opts); err != nil {
		if n.ctl != nil {
			n.ctl.Close()
		}
		return nil, err
	}
	return n, nil
}

func (n *Node) start(opts Options) (err error) {
	log, id := n.log, n.id
	// One way back out: whatever has been opened when a step fails is
	// closed, last first.
	var undo cleanup
	defer func() {
		if err != nil {
			undo.run()
		}
	}()
	st, err := store.Open(filepath.Join(n.home, DBFile))
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	undo.add(func() { st.Close() })
	retired, err := n.resumeRotation(context.Background(), st)
	if err != nil {
		return err
	}
	var ln net.Listener
	if opts.Listen != "" {
		ln, err = listenReusable(opts.Listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", opts.Listen, err)
		}
		undo.add(func() { ln.Close() })
	}
	n.st, n.ln = st, ln
	if n.relay, err = newRelayPart(context.Background(), n, opts.Relay); err != nil {
		return err
	}
	undo.add(func() { n.relay.server.Close() })
	var chatLn net.Listener
	if ln != nil {
		n.mux = newMux(ln, log.With("part", "mux"))
		chatLn = n.mux.chat
	}
	locator := opts.Locator
	if !opts.Overlay.Disable {
		var listen netip.AddrPort
		if ln != nil {
			listen = ln.Addr().(*net.TCPAddr).AddrPort()
		}
		n.ov, err = newOverlayPart(n, opts.Overlay, listen)
		if err != nil {
			return err
		}
		if locator == nil {
			locator = n.ov
		}
	}
	var dialer chat.Dialer = &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 25 * time.Second}
	if opts.Dialer != nil {
		dialer = opts.Dialer
	}
	n.plainDialer = dialer
	if locator == nil {
		locator = chat.StaticLocator{}
	}
	if opts.Dialer == nil {
		pd := punchDialer{plain: dialer}
		if ln != nil {
			pd.local = ln.Addr().(*net.TCPAddr)
		}
		n.router = &router{loc: locator, punch: pd, relays: n.relay.routes, log: log.With("part", "route")}
		locator = n.router
	}
	n.chat, err = chat.New(chat.Config{
		Identity:     id,
		Retired:      retired,
		Store:        st,
		Locator:      locator,
		Dialer:       prefixDialer{inner: dialer, prefix: prefixChat},
		Listener:     chatLn,
		Emit:         n.raw.push,
		UpgradeEvery: opts.Relay.UpgradeEvery,
		Calls:        chatCalls{&n.calls},
		Logger:       log.With("part", "chat"),
	})
	if err != nil {
		return fmt.Errorf("start chat: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	undo.add(func() { cancel(); n.wg.Wait() })
	n.startPortMap(ctx, &n.wg, opts.NoPortMap)
	n.startNAT(ctx, &n.wg, opts.STUN)
	if err := n.startCalls(opts.Audio); err != nil {
		return err
	}
	n.wg.Add(2)
	if n.ov != nil {
		if n.mux != nil {
			n.mux.overlay = func(c net.Conn) { n.ov.net.Serve(ctx, c) }
		}
		n.ov.runLoops(ctx, &n.wg)
	}
	if n.mux != nil {
		n.mux.relay = func(c net.Conn) { n.relay.server.Handle(ctx, c) }
		n.mux.mapped = func() bool { return len(n.mappedTCP()) > 0 }
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			n.mux.run(ctx)
		}()
	}
	if n.ctl != nil {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			if err := n.ctl.Serve(ctx); err != nil {
				log.Error("control socket stopped", "err", err)
			}
		}()
	}
	go func() {
		defer n.wg.Done()
		if err := n.chat.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("chat stopped", "err", err)
		}
	}()
	go func() {
		defer n.wg.Done()
		n.dispatch(ctx)
	}()
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.calls.run()
	}()
	log.Info("node started", "home", n.home, "listen", n.ListenAddr(), "keystore", opts.Keystore.Kind())
	return nil
}

// Close stops every session and goroutine, then closes the store.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		if n.ov != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			n.ov.remember(ctx) // the next start rejoins through these peers
			cancel()
		}
		n.calls.mgr.Close() // hang up first, while the sessions can still say so
		n.calls.events.close()
		n.cancel()
		n.relay.server.Close()
		n.raw.close()
		n.wg.Wait()
		n.subs.closeAll()
		n.closeErr = n.st.Close()
	})
	return n.closeErr
}

// ListenAddr is the address chat sessions are accepted on, or "".
func (n *Node) ListenAddr() string {
	if n.ln == nil {
		return ""
	}
	return n.ln.Addr().String()
}

// Home is the node's data dir.
func (n *Node) Home() string { return n.home }

// Name is the user's display name.
func (n *Node) Name() string {
	id, _ := n.self()
	return id.Name
}

// Card is the user's contact card.
func (n *Node) Card() string {
	_, c := n.self()
	return c.String()
}

// QRText is the card in the uppercase form a QR code carries compactly.
func (n *Node) QRText() string {
	_, c := n.self()
	return c.QRText()
}
