package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"
	"tincan/core/observed"

	"tincan/core/discovery"
	"tincan/core/identity"
	"tincan/core/link"
	"tincan/core/overlay"
	"tincan/core/store"
)

// OverlayOptions say how the node joins the overlay; any one source is enough.
type OverlayOptions struct {
	Disable   bool     // no overlay: contacts are reached only at given addresses
	Bootstrap []string // "host:port" of nodes to join through
	EntryName string   // DNS name whose A/AAAA records are entry points
	EntryPort uint16   // port of the entry points (DNS has none); default 7448
	DNS       string   // resolver "host:port" for EntryName; "" the system's
	Entry     EntryOptions
	NoLAN     bool // do not announce on or listen to the local segment
}

// Settings keys of the overlay's durable state.
const (
	settingNodeKey = "overlay.node_key" // sealed Ed25519 seed
	settingPeers   = "overlay.peers"    // JSON list of remembered peers
)

// freshIncoming is how long the addresses a contact sent with its own
// set-up request are used alone, without a set-up of our own: both sides
// then dial each other at once, which is what punches the holes.
const freshIncoming = 20 * time.Second

// rememberedPeers bounds the peer cache kept for the next start.
const rememberedPeers = 64

// overlayPart runs this node in the overlay: node key, links, routing, joining.
type overlayPart struct {
	n    *Node
	opts OverlayOptions
	log  *slog.Logger
	key  ed25519.PrivateKey
	net  *link.Net
	run  *overlay.Runner

	listen   netip.AddrPort
	lanFound chan netip.AddrPort // nodes heard on the LAN
	extra    addrCache           // external candidates, refreshed in the background
	tcpMap   tcpMapState         // where the NAT maps the listen port for TCP
	relays   addrCache           // relays we reach, refreshed in the background
	elector  *discovery.Elector  // nil unless this node may publish itself

	mu       sync.Mutex
	contacts map[overlay.Fingerprint]int64              // who may reach us
	reached  map[int64]reach                            // how each contact was last found
	locating map[int64]map[*context.CancelFunc]struct{} // set-ups in flight, cut short when the contact finds us first
	joined   time.Time
	joinErr  string
	lanPeers []netip.AddrPort // heard on the LAN, newest last
}

// reach is how and when a contact was last found through the overlay.
type reach struct {
	Incoming bool // the contact found us (its addresses came with its request)
	Via      string
	At       time.Time
	Addrs    []string
	Relays   []netip.AddrPort // the relays the contact offered
}

func newOverlayPart(n *Node, opts OverlayOptions, listen netip.AddrPort) (*overlayPart, error) {
	o := &overlayPart{n: n, opts: opts, log: n.log.With("part", "overlay"), listen: listen, lanFound: make(chan netip.AddrPort, 16),
		contacts: map[overlay.Fingerprint]int64{}, reached: map[int64]reach{}, locating: map[int64]map[*context.CancelFunc]struct{}{}}
	if o.opts.EntryPort == 0 {
		o.opts.EntryPort = 7448
	}
	key, err := o.nodeKey(context.Background())
	if err != nil {
		return nil, err
	}
	o.key = key
	book := observed.New(nil) // one book: the link hellos' and the overlay's says
	o.net, err = link.New(link.Config{Key: key, ListenPort: listen.Port(), Logger: o.log.With("part", "link"),
		ServesRelay: n.relay.serving(), Observations: book})
	if err != nil {
		return nil, fmt.Errorf("overlay links: %w", err)
	}
	o.run, err = overlay.NewRunner(overlay.Config{
		GUID:         overlay.GUIDOf(key.Public().(ed25519.PublicKey)),
		Addrs:        candidates(listen),
		Extra:        o.extra.get,
		Relays:       o.relays.get,
		Network:      o.net,
		Logger:       o.log,
		User:         o.user(),
		Accept:       o.accept,
		OnIncoming:   o.incoming,
		Observations: book,
		OnProbe: func(from overlay.Peer, m *overlay.ProbeRequest) {
			if p := n.nat; p != nil {
				p.probe(from, m)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("overlay: %w", err)
	}
	o.net.SetHandler(o.run)
	if err := o.refreshContacts(context.Background()); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *overlayPart) user() *overlay.User {
	id, _ := o.n.self()
	return &overlay.User{
		SecretID:    overlay.SecretID(id.SecretID),
		Opener:      overlay.RSAOpener{Key: id.Key},
		Fingerprint: overlay.Fingerprint(id.Fingerprint()),
	}
}

// nodeKey loads the node key, sealed under the home's master key, or makes one.
// It is separate from the user's identity: overlay peers see only its GUID.
func (o *overlayPart) nodeKey(ctx context.Context) (ed25519.PrivateKey, error) {
	master, err := identity.MasterKey(o.n.home, o.n.ks)
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	ad := []byte("tincan node key v1")
	if v, err := o.n.st.Setting(ctx, settingNodeKey); err == nil {
		sealed, err := hex.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("node key: %w", err)
		}
		seed, err := identity.Open(master, sealed, ad)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("node key does not open: %v", err)
		}
		return ed25519.NewKeyFromSeed(seed), nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("node key: %w", err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	sealed, err := identity.Seal(master, key.Seed(), ad)
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	if err := o.n.st.SetSetting(ctx, settingNodeKey, hex.EncodeToString(sealed)); err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	return key, nil
}

// candidates are the addresses this node tells contacts to dial.
func candidates(listen netip.AddrPort) []netip.AddrPort {
	if !listen.Addr().IsUnspecified() {
		return []netip.AddrPort{listen}
	}
	var out []netip.AddrPort
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		p, ok := netip.AddrFromSlice(a.(*net.IPNet).IP)
		if !ok || p.IsLinkLocalUnicast() || p.IsLoopback() {
			continue // a loopback address would lead a contact to itself
		}
		out = append(out, netip.AddrPortFrom(p.Unmap(), listen.Port()))
	}
	return out
}

// accept says whether a set-up request from this user gets an answer. It runs
// under the overlay's lock, so it reads only memory.
func (o *overlayPart) accept(from overlay.Fingerprint) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.contacts[from]
	return ok
}

// incoming notes a contact that found us, so chat can dial back at once.
func (o *overlayPart) incoming(in overlay.Incoming) {
	o.mu.Lock()
	id, ok := o.contacts[in.From]
	if ok {
		o.reached[id] = reach{Incoming: true, Via: "incoming-" + in.Via.String(), At: time.Now(), Addrs: addrStrings(in.Candidates), Relays: in.Relays}
		// A set-up of ours still looking for the contact ends now: it
		// just told us where it is and is dialing us, so dial it back at
		// once (a hole punch needs both dials together).
		for stop := range o.locating[id] {
			(*stop)()
		}
	}
	o.mu.Unlock()
	if ok {
		o.n.chat.Kick(id)
	}
}

// refreshContacts reloads who may reach us (after the contact list changes).
func (o *overlayPart) refreshContacts(ctx context.Context) error {
	cs, err := o.n.st.Contacts(ctx)
	if err != nil {
		return fmt.Errorf("overlay contacts: %w", err)
	}
	m := make(map[overlay.Fingerprint]int64, len(cs))
	for _, c := range cs {
		if c.Revoked {
			continue // left out of a rotation: gets no answer
		}
		var fp overlay.Fingerprint
		copy(fp[:], c.Fingerprint)
		m[fp] = c.ID
	}
	o.mu.Lock()
	o.contacts = m
	o.mu.Unlock()
	if o.run != nil {
		_ = o.run.Do(func(n *overlay.Node) { n.Reconsider() }) // a request may wait for this contact
	}
	return nil
}

// Locate is chat's Locator: the address given with the contact, what the
// contact told us when it found us, and what a set-up through the overlay finds.
func (o *overlayPart) Locate(ctx context.Context, c store.Contact) ([]string, error) {
	var out []string
	add := func(as ...string) {
		for _, a := range as {
			if a != "" && !contains(out, a) {
				out = append(out, a)
			}
		}
	}
	add(c.Addr)
	o.mu.Lock()
	r, ok := o.reached[c.ID]
	o.mu.Unlock()
	if ok && time.Since(r.At) < 2*time.Minute {
		add(r.Addrs...)
		if r.Incoming && time.Since(r.At) < freshIncoming {
			return out, nil // the contact just told us: dial now, together
		}
	}
	parsed, err := x509.ParsePKIXPublicKey(c.PublicKey)
	if err != nil || len(c.SecretID) != 16 {
		return out, nil
	}
	pub, err := identity.CheckPublicKey(parsed)
	if err != nil {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	o.mu.Lock()
	if o.locating[c.ID] == nil {
		o.locating[c.ID] = map[*context.CancelFunc]struct{}{}
	}
	stop := &cancel
	o.locating[c.ID][stop] = struct{}{}
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		delete(o.locating[c.ID], stop)
		if len(o.locating[c.ID]) == 0 {
			delete(o.locating, c.ID)
		}
		o.mu.Unlock()
	}()
	res, err := o.run.Connect(ctx, overlay.ConnectRequest{
		SecretID: overlay.SecretID(c.SecretID),
		Sealer:   overlay.RSASealer{Key: pub},
	})
	if err != nil {
		o.mu.Lock()
		r, ok := o.reached[c.ID]
		o.mu.Unlock()
		if ok && r.Incoming && time.Since(r.At) < freshIncoming {
			add(r.Addrs...) // the contact found us while we looked for it
			return out, nil
		}
		o.log.Debug("contact not found through the overlay", "contact", c.Name, "err", err)
		return out, nil
	}
	as := addrStrings(res.Candidates)
	o.mu.Lock()
	o.reached[c.ID] = reach{Via: res.Via.String(), At: time.Now(), Addrs: as, Relays: res.Relays}
	o.mu.Unlock()
	add(as...)
	return out, nil
}

// runLoops joins and keeps the peer cache until ctx is done.
func (o *overlayPart) runLoops(ctx context.Context, wg *sync.WaitGroup) {
	if err := o.startElector(ctx, wg); err != nil {
		o.log.Error("entry point election off", "err", err)
	}
	o.startLAN(ctx, wg)
	wg.Add(4)
	go func() {
		defer wg.Done()
		o.candidateLoop(ctx)
	}()
	go func() {
		defer wg.Done()
		o.tcpMapLoop(ctx)
	}()
	go func() {
		defer wg.Done()
		if err := o.net.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			o.log.Error("overlay links stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		o.joinLoop(ctx)
	}()
}

// joinLoop joins through every source it has, retrying with backoff, then
// remembers peers for the next start every few minutes.
func (o *overlayPart) joinLoop(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		addrs := o.bootstrapAddrs(ctx)
		if len(addrs) == 0 {
			o.setJoin(time.Time{}, "no bootstrap address, entry name or remembered peer")
		} else {
			jctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := o.run.Bootstrap(jctx, addrs)
			cancel()
			if err == nil {
				o.setJoin(time.Now(), "")
				o.log.Info("joined the overlay", "through", len(addrs))
				o.rememberLoop(ctx)
				return
			}
			o.setJoin(time.Time{}, err.Error())
			o.log.Info("join failed; will retry", "err", err, "in", backoff)
		}
		select {
		case <-time.After(backoff + time.Duration(mrand.Int64N(int64(backoff/2)+1))):
			backoff = min(backoff*2, time.Minute)
		case a := <-o.lanFound:
			o.addLAN(a)
		case <-ctx.Done():
			return
		}
	}
}

func (o *overlayPart) setJoin(at time.Time, errText string) {
	o.mu.Lock()
	o.joined, o.joinErr = at, errText
	o.mu.Unlock()
}

func (o *overlayPart) bootstrapAddrs(ctx context.Context) []netip.AddrPort {
	var out []netip.AddrPort
	add := func(a netip.AddrPort) {
		for _, b := range out {
			if a == b {
				return
			}
		}
		out = append(out, a)
	}
	for _, s := range o.opts.Bootstrap {
		a, err := resolveAddrPort(ctx, s)
		if err != nil {
			o.log.Warn("bad bootstrap address", "addr", s, "err", err)
			continue
		}
		add(a)
	}
	if o.opts.EntryName != "" {
		r := discovery.Resolver{Name: o.opts.EntryName, Port: o.opts.EntryPort, Server: o.opts.DNS, Timeout: 5 * time.Second}
		as, err := r.Resolve(ctx)
		if err != nil {
			o.log.Info("entry name did not resolve", "name", o.opts.EntryName, "err", err)
		}
		for _, a := range as {
			add(a)
		}
	}
	for _, a := range o.remembered(ctx) {
		add(a)
	}
	o.mu.Lock()
	for _, a := range o.lanPeers {
		add(a)
	}
	o.mu.Unlock()
	return out
}

func resolveAddrPort(ctx context.Context, s string) (netip.AddrPort, error) {
	if a, err := netip.ParseAddrPort(s); err == nil {
		return a, nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return netip.AddrPort{}, err
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return netip.AddrPort{}, fmt.Errorf("resolve %s: %v", host, err)
	}
	return netip.ParseAddrPort(net.JoinHostPort(ips[0].Unmap().String(), port))
}

// remembered returns the peers saved by an earlier run.
func (o *overlayPart) remembered(ctx context.Context) []netip.AddrPort {
	v, err := o.n.st.Setting(ctx, settingPeers)
	if err != nil {
		return nil
	}
	var ss []string
	if err := json.Unmarshal([]byte(v), &ss); err != nil {
		o.log.Warn("remembered peers unreadable; ignoring them", "err", err)
		return nil
	}
	var out []netip.AddrPort
	for _, s := range ss {
		if a, err := netip.ParseAddrPort(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// rememberLoop saves the routing table's peers after joining, again as the
// table fills, then every five minutes (and Close saves them once more).
func (o *overlayPart) rememberLoop(ctx context.Context) {
	waits := []time.Duration{0, 10 * time.Second, 50 * time.Second}
	for i := 0; ; i++ {
		wait := 5 * time.Minute
		if i < len(waits) {
			wait = waits[i]
		}
		timer := time.NewTimer(wait)
	inner:
		for {
			select {
			case <-timer.C:
				break inner
			case a := <-o.lanFound:
				o.addLAN(a)
				jctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				if err := o.run.Bootstrap(jctx, []netip.AddrPort{a}); err != nil {
					o.log.Debug("LAN peer did not answer", "addr", a, "err", err)
				}
				cancel()
			case <-ctx.Done():
				timer.Stop()
				return
			}
		}
		o.remember(ctx)
	}
}

func (o *overlayPart) remember(ctx context.Context) {
	var ss []string
	_ = o.run.Do(func(n *overlay.Node) {
		n.Table().ForEach(func(p overlay.Peer) {
			if len(ss) < rememberedPeers && p.Addr.IsValid() {
				ss = append(ss, p.Addr.String())
			}
		})
	})
	if len(ss) == 0 {
		return
	}
	b, _ := json.Marshal(ss)
	if err := o.n.st.SetSetting(ctx, settingPeers, string(b)); err != nil && ctx.Err() == nil {
		o.log.Warn("remember peers", "err", err)
	}
}

func addrStrings(as []netip.AddrPort) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// status reports the overlay part of `tincan status --json`.
func (o *overlayPart) status() *OverlayStatus {
	st := &OverlayStatus{EntryRole: o.entryRole(), Buckets: []BucketView{}, Observed: []string{}}
	_ = o.run.Do(func(n *overlay.Node) {
		g := n.GUID()
		st.GUID = hex.EncodeToString(g[:])
		t := n.Table()
		st.Peers = t.Len()
		for i := 0; i < t.NumBuckets(); i++ {
			if l := t.BucketLen(i); l > 0 {
				st.Buckets = append(st.Buckets, BucketView{Index: i, Peers: l})
			}
		}
		st.Candidates = addrStrings(n.Candidates())
	})
	st.Links = len(o.net.Links())
	st.Observed = append(st.Observed, addrStrings(o.net.Observed())...)
	o.mu.Lock()
	st.Joined, st.JoinError = !o.joined.IsZero(), o.joinErr
	o.mu.Unlock()
	return st
}

// reachOf says how the overlay last found a contact.
func (o *overlayPart) reachOf(id int64) (reach, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.reached[id]
	return r, ok
}

// userChanged makes the overlay answer for the current identity only (after
// a rotation, requests for the old secret ID go unanswered).
func (o *overlayPart) userChanged() {
	u := o.user()
	_ = o.run.Do(func(n *overlay.Node) { n.SetUser(u) })
}

// addLAN remembers a node heard on the LAN as a bootstrap address.
func (o *overlayPart) addLAN(a netip.AddrPort) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, b := range o.lanPeers {
		if a == b {
			return
		}
	}
	o.lanPeers = append(o.lanPeers, a)
	if len(o.lanPeers) > rememberedPeers {
		o.lanPeers = o.lanPeers[1:]
	}
}
