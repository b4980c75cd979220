package node

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"

	"tincan/core/chat"
	"tincan/core/relay"
	"tincan/core/store"
)

// Relay policies: whether to use a relay when no direct path works.
const (
	RelaysAsk    = "ask"    // ask the user once per contact
	RelaysAlways = "always" // use one without asking
	RelaysNever  = "never"  // never
)

// Consent states of a contact under the "ask" policy (ContactView.RelayConsent).
const (
	ConsentAsked   = "asked"   // waiting for the user's answer
	ConsentAllowed = "allowed" // the user said yes for this contact
	ConsentDenied  = "denied"  // the user said no for this contact
)

// RelayOptions say whether the node uses relays and whether it serves as one.
type RelayOptions struct {
	Use         string   // RelaysAsk (default), RelaysAlways or RelaysNever; "" keeps the saved setting
	Serve       *bool    // serve as a relay for others; nil keeps the saved setting (default off)
	MaxSessions int      // relayed sessions at once; 0: relay.DefaultMaxSessions
	RateKBps    int64    // per session and direction, in KiB/s; 0: 256
	Static      []string // relays ("host:port") to use besides those the overlay finds
	// UpgradeEvery is how often a relayed session tries for a direct path
	// again; 0: a minute.
	UpgradeEvery time.Duration
}

// Settings keys of the relay part.
const (
	settingRelayUse      = "relay.use"
	settingRelayServe    = "relay.serve"
	settingRelaySessions = "relay.sessions"
	settingRelayRate     = "relay.rate_kib"
	settingConsentStart  = "relay.consent." // + contact fingerprint hex
)

// relayTimeout bounds a relayed route: reaching the relay, waiting for the
// contact to arrive there too, and TLS through it.
const relayTimeout = 25 * time.Second

// relayHeadStart is how long direct routes run alone before an agreed-to
// relay joins the race: the first message goes through the relay about a
// second after the send when no direct path opens, and a relayed session
// tries direct paths again two seconds after it came up (chat.UpgradeFirst).
const relayHeadStart = 750 * time.Millisecond

// ErrRelayPolicy is a bad --use-relays value.
var ErrRelayPolicy = errors.New("relay policy must be ask, always or never")

// errNeedConsent means the user has not yet said whether to relay for a contact.
var errNeedConsent = fmt.Errorf("%w: waiting for the user's consent to use a relay", chat.ErrNoRoute)

// relayPart is the node's use of relays and its own relay service.
type relayPart struct {
	n      *Node
	server *relay.Server // nil when never started to serve

	static []netip.AddrPort // given with --relay

	mu      sync.Mutex
	use     string
	serve   bool
	asked   map[int64]bool    // contacts we asked about and have no answer for
	answers map[string]string // saved answers by settings key, read once ("" for none)
}

func newRelayPart(ctx context.Context, n *Node, o RelayOptions) (*relayPart, error) {
	r := &relayPart{n: n, use: RelaysAsk, asked: map[int64]bool{}, answers: map[string]string{}}
	for _, s := range o.Static {
		a, err := netip.ParseAddrPort(s)
		if err != nil || a.Port() == 0 {
			return nil, badInput(fmt.Errorf("relay %q is not an IP:port", s))
		}
		r.static = append(r.static, a)
	}
	if v, err := n.st.Setting(ctx, settingRelayUse); err == nil {
		r.use = v
	}
	if v, err := n.st.Setting(ctx, settingRelayServe); err == nil {
		r.serve = v == "yes"
	}
	if o.Use != "" {
		if err := checkPolicy(o.Use); err != nil {
			return nil, badInput(err)
		}
		r.use = o.Use
		if err := n.st.SetSetting(ctx, settingRelayUse, o.Use); err != nil {
			return nil, fmt.Errorf("save relay policy: %w", err)
		}
	}
	if checkPolicy(r.use) != nil {
		r.use = RelaysAsk
	}
	if o.Serve != nil {
		r.serve = *o.Serve
		if err := n.st.SetSetting(ctx, settingRelayServe, yesNo(r.serve)); err != nil {
			return nil, fmt.Errorf("save relay serving: %w", err)
		}
	}
	sessions, rate := o.MaxSessions, o.RateKBps
	if v, err := n.st.Setting(ctx, settingRelaySessions); err == nil && sessions <= 0 {
		sessions, _ = strconv.Atoi(v)
	}
	if v, err := n.st.Setting(ctx, settingRelayRate); err == nil && rate <= 0 {
		rate, _ = strconv.ParseInt(v, 10, 64)
	}
	if sessions <= 0 {
		sessions = relay.DefaultMaxSessions
	}
	if rate <= 0 {
		rate = 256
	}
	if o.MaxSessions > 0 || o.RateKBps > 0 {
		if err := saveCaps(ctx, n, sessions, rate); err != nil {
			return nil, err
		}
	}
	r.server = relay.NewServer(relay.Config{
		Disabled:       !r.serve,
		MaxSessions:    sessions,
		BytesPerSecond: rate << 10,
		Logger:         n.log.With("part", "relay"),
	})
	return r, nil
}

func checkPolicy(p string) error {
	switch p {
	case RelaysAsk, RelaysAlways, RelaysNever:
		return nil
	}
	return fmt.Errorf("%w, not %q", ErrRelayPolicy, p)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// relayToken is what both contacts present to the relay: derived from both
// secret IDs, so only the two of them can compute it, and the same from
// either side. The relay learns only that two streams belong together.
func relayToken(a, b []byte) relay.Token {
	if bytes.Compare(a, b) > 0 {
		a, b = b, a
	}
	h := sha256.New()
	h.Write([]byte("tincan relay token v1"))
	h.Write(a)
	h.Write(b)
	var t relay.Token
	copy(t[:], h.Sum(nil))
	return t
}

// routes returns a fallback route through each relay known for c: ours
// and the ones c offered. Each asks for consent when it is needed.
func (r *relayPart) routes(ctx context.Context, c store.Contact) []chat.Route {
	if r.policy() == RelaysNever || len(c.SecretID) == 0 {
		return nil
	}
	var addrs []netip.AddrPort
	add := func(as ...netip.AddrPort) {
		for _, a := range as {
			if !slices.Contains(addrs, a) {
				addrs = append(addrs, a)
			}
		}
	}
	add(r.static...)
	if ov := r.n.ov; ov != nil {
		add(ov.relaysOf(c.ID)...)
		add(ov.ownRelays()...)
	}
	slices.SortFunc(addrs, func(a, b netip.AddrPort) int { return a.Compare(b) }) // both sides try the same order
	id, _ := r.n.self()
	tok := relayToken(id.SecretID[:], c.SecretID)
	// A relay the user already agreed to (always, or yes for this
	// contact) starts after a head start; one that would ask waits until
	// every direct route failed, so the question is put only then.
	var early time.Duration
	if r.policy() == RelaysAlways || r.answer(ctx, c) == ConsentAllowed {
		early = relayHeadStart
	}
	var out []chat.Route
	for _, a := range addrs {
		addr := a.String()
		out = append(out, chat.Route{Addr: "relay " + addr, Fallback: true, Early: early, Timeout: relayTimeout,
			Dial: func(ctx context.Context) (chat.Raw, error) {
				if err := r.consent(ctx, c); err != nil {
					return chat.Raw{}, err
				}
				conn, err := relay.Dial(ctx, r.n.plainDialer, addr, tok)
				if err != nil {
					return chat.Raw{}, fmt.Errorf("relay %s: %w", addr, err)
				}
				raw, err := punchHandshake(ctx, conn, false)
				if err != nil {
					conn.Close()
					return chat.Raw{}, fmt.Errorf("through relay %s: %w", addr, err)
				}
				raw.Relay = addr
				return raw, nil
			}})
	}
	return out
}

func (r *relayPart) policy() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.use
}

// consent says whether the user lets us relay with c; under "ask" it asks
// (once, by an event the UI shows) and refuses until the answer comes.
func (r *relayPart) consent(ctx context.Context, c store.Contact) error {
	switch r.policy() {
	case RelaysAlways:
		return nil
	case RelaysNever:
		return fmt.Errorf("%w: relays are off", chat.ErrNoRoute)
	}
	switch r.answer(ctx, c) {
	case ConsentAllowed:
		return nil
	case ConsentDenied:
		return fmt.Errorf("%w: the user declined a relay for %s", chat.ErrNoRoute, c.Name)
	}
	r.mu.Lock()
	first := !r.asked[c.ID]
	r.asked[c.ID] = true
	r.mu.Unlock()
	if first {
		r.n.log.Info("a relay is needed; asking the user", "contact", c.ID)
		if v, err := r.n.contactView(ctx, c); err == nil {
			v.RelayConsent = ConsentAsked
			r.n.publish(Event{RelayAsk: &v})
		}
	}
	return errNeedConsent
}

// answer is the user's saved answer for c: allowed, denied or "". Each
// contact's is read from the store once (contact views ask on every list).
func (r *relayPart) answer(ctx context.Context, c store.Contact) string {
	key := consentKey(c)
	r.mu.Lock()
	v, ok := r.answers[key]
	r.mu.Unlock()
	if ok {
		return v
	}
	v, err := r.n.st.Setting(ctx, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "" // not cached: read again next time
	}
	r.mu.Lock()
	r.answers[key] = v
	r.mu.Unlock()
	return v
}

func consentKey(c store.Contact) string {
	return settingConsentStart + hex.EncodeToString(c.Fingerprint)
}

// consentState is what ContactView.RelayConsent shows for c.
func (r *relayPart) consentState(ctx context.Context, c store.Contact) string {
	if a := r.answer(ctx, c); a != "" {
		return a
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.asked[c.ID] {
		return ConsentAsked
	}
	return ""
}

// AnswerRelay records the user's answer to "connect to name through a
// relay?" and, on yes, tries again at once.
func (n *Node) AnswerRelay(ctx context.Context, name string, allow bool) error {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return err
	}
	v := ConsentDenied
	if allow {
		v = ConsentAllowed
	}
	if err := n.st.SetSetting(ctx, consentKey(c), v); err != nil {
		return fmt.Errorf("save relay answer: %w", err)
	}
	n.relay.mu.Lock()
	delete(n.relay.asked, c.ID)
	n.relay.answers[consentKey(c)] = v
	n.relay.mu.Unlock()
	if allow {
		n.chat.Kick(c.ID)
	}
	if cv, err := n.contactView(ctx, c); err == nil {
		n.publish(Event{Presence: &cv})
	}
	return nil
}

// SetRelayPolicy changes whether relays are used: ask, always or never.
func (n *Node) SetRelayPolicy(ctx context.Context, policy string) error {
	if err := checkPolicy(policy); err != nil {
		return badInput(err)
	}
	if err := n.st.SetSetting(ctx, settingRelayUse, policy); err != nil {
		return fmt.Errorf("save relay policy: %w", err)
	}
	n.relay.mu.Lock()
	n.relay.use = policy
	n.relay.mu.Unlock()
	return nil
}

// SetServeRelay turns serving as a relay for others on or off.
func (n *Node) SetServeRelay(ctx context.Context, on bool) error {
	if err := n.st.SetSetting(ctx, settingRelayServe, yesNo(on)); err != nil {
		return fmt.Errorf("save relay serving: %w", err)
	}
	n.relay.mu.Lock()
	n.relay.serve = on
	n.relay.mu.Unlock()
	n.relay.server.SetEnabled(on)
	if n.ov != nil {
		n.ov.net.SetServesRelay(on)
	}
	return nil
}

// Bounds of the relay caps a user may set.
const (
	maxRelaySessions = 10000
	maxRelayRateKiB  = 1 << 30 // 1 TiB/s: beyond any link
)

// SetRelayCaps changes what serving as a relay may take: sessions at once
// and KiB per second per session and direction. Sessions already relayed
// keep the rate they started with.
func (n *Node) SetRelayCaps(ctx context.Context, sessions int, rateKiB int64) error {
	if sessions < 1 || sessions > maxRelaySessions {
		return badInput(fmt.Errorf("relay sessions must be 1 to %d, not %d", maxRelaySessions, sessions))
	}
	if rateKiB < 1 || rateKiB > maxRelayRateKiB {
		return badInput(fmt.Errorf("relay rate must be 1 to %d KiB/s, not %d", int64(maxRelayRateKiB), rateKiB))
	}
	if err := saveCaps(ctx, n, sessions, rateKiB); err != nil {
		return err
	}
	n.relay.server.SetLimits(sessions, rateKiB<<10)
	return nil
}

func saveCaps(ctx context.Context, n *Node, sessions int, rateKiB int64) error {
	if err := n.st.SetSetting(ctx, settingRelaySessions, strconv.Itoa(sessions)); err != nil {
		return fmt.Errorf("save relay caps: %w", err)
	}
	if err := n.st.SetSetting(ctx, settingRelayRate, strconv.FormatInt(rateKiB, 10)); err != nil {
		return fmt.Errorf("save relay caps: %w", err)
	}
	return nil
}

// relayStatus is the relay part of `status --json`.
func (r *relayPart) status() *RelayStatus {
	r.mu.Lock()
	use, serve := r.use, r.serve
	r.mu.Unlock()
	st := r.server.Stats()
	return &RelayStatus{Use: use, Serve: serve, Active: st.Active, Waiting: st.Waiting,
		Sessions: st.Sessions, BytesRelayed: st.BytesRelayed, Refused: st.Refused,
		MaxSessions: st.MaxSessions, RateKiB: st.Rate >> 10}
}

func (r *relayPart) serving() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.serve
}
