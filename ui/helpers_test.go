package ui

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"tincan/core/node"
)

// pump stands in for the Fyne event loop: dispatch queues functions and the
// test goroutine runs them, so UI state is only touched by one goroutine as
// in the real app.
type pump struct {
	mu     sync.Mutex
	queue  []func()
	signal chan struct{}
}

func newPump(t *testing.T) *pump {
	t.Helper()
	p := &pump{signal: make(chan struct{}, 1)}
	old := dispatch
	dispatch = p.do
	t.Cleanup(func() { dispatch = old })
	return p
}

func (p *pump) do(f func()) {
	p.mu.Lock()
	p.queue = append(p.queue, f)
	p.mu.Unlock()
	select {
	case p.signal <- struct{}{}:
	default:
	}
}

// drain runs what is queued, including what those functions queue.
func (p *pump) drain() {
	for {
		p.mu.Lock()
		q := p.queue
		p.queue = nil
		p.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, f := range q {
			f()
		}
	}
}

// until runs queued UI work until cond holds, failing after a few seconds.
func (p *pump) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		select {
		case <-p.signal:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// settle runs UI work until nothing new arrives for a short while.
func (p *pump) settle() {
	for {
		p.drain()
		select {
		case <-p.signal:
		case <-time.After(50 * time.Millisecond):
			p.drain()
			return
		}
	}
}

// memBackend is an in-memory node for view tests: it keeps contacts and
// messages, counts unread messages and publishes events like the node.
type memBackend struct {
	mu       sync.Mutex
	name     string
	contacts []node.ContactView
	msgs     map[string][]node.MessageView
	subs     map[chan node.Event]struct{}
	seq      int
	marked   []string
	sendErr  error
	at       time.Time

	rotations []rotation // Rotate calls, in order
	rotateErr error

	nat      *node.NATStatus  // what Status reports; nil: not detected yet
	observed []string         // Status.Overlay.Observed; nil: no overlay
	relay    node.RelayStatus // Status.Relay
	answers  []relayAnswer    // AnswerRelay calls, in order
	policies []string         // SetRelayPolicy calls, in order
	serves   []bool           // SetServeRelay calls, in order
	caps     []relayCaps      // SetRelayCaps calls, in order
	relayErr error            // what the four relay calls fail with

	call memCall // the call methods' state, see callmem_test.go
}

// relayAnswer is one AnswerRelay call a memBackend took.
type relayAnswer struct {
	name  string
	allow bool
}

// relayCaps is one SetRelayCaps call a memBackend took.
type relayCaps struct {
	sessions int
	rateKiB  int64
}

// rotation is one Rotate call a memBackend took.
type rotation struct {
	keep   []string
	newKey bool
}

// goodCard is the test user's own card, as long as a real one (an RSA-3072
// key and a secret ID, base32).
var goodCard = func() string {
	raw := make([]byte, 440)
	for i := range raw {
		raw[i] = byte(i * 37)
	}
	return "tincan:1:" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
}()

func newMemBackend(name string) *memBackend {
	return &memBackend{
		name:  name,
		msgs:  map[string][]node.MessageView{},
		subs:  map[chan node.Event]struct{}{},
		at:    time.Date(2025, 3, 14, 9, 30, 0, 0, time.Local),
		relay: node.RelayStatus{Use: node.RelaysAsk, MaxSessions: 16, RateKiB: 256},
	}
}

func (b *memBackend) Status(context.Context) (node.Status, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := node.Status{Name: b.name, Fingerprint: strings.Repeat("3fa9", 16), Card: goodCard,
		Listen: "0.0.0.0:7777", Keystore: "file", Contacts: slices.Clone(b.contacts)}
	r := b.relay
	st.Relay = &r
	if b.nat != nil {
		n := *b.nat
		n.Mapped = slices.Clone(n.Mapped)
		st.NAT = &n
	}
	if b.observed != nil {
		st.Overlay = &node.OverlayStatus{Observed: slices.Clone(b.observed)}
	}
	return st, nil
}

func (b *memBackend) AnswerRelay(_ context.Context, name string, allow bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.answers = append(b.answers, relayAnswer{name, allow})
	if b.relayErr != nil {
		return b.relayErr
	}
	i := b.indexLocked(name)
	if i < 0 {
		return errors.New("no such contact")
	}
	b.contacts[i].RelayConsent = node.ConsentDenied
	if allow {
		b.contacts[i].RelayConsent = node.ConsentAllowed
	}
	c := b.contacts[i]
	b.emitLocked(node.Event{Presence: &c})
	return nil
}

func (b *memBackend) SetRelayPolicy(_ context.Context, policy string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.policies = append(b.policies, policy)
	if b.relayErr != nil {
		return b.relayErr
	}
	switch policy {
	case node.RelaysAsk, node.RelaysAlways, node.RelaysNever:
	default:
		return node.ErrRelayPolicy
	}
	b.relay.Use = policy
	return nil
}

func (b *memBackend) SetServeRelay(_ context.Context, on bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.serves = append(b.serves, on)
	if b.relayErr != nil {
		return b.relayErr
	}
	b.relay.Serve = on
	return nil
}

// SetRelayCaps records the call and, like the node, refuses caps out of
// range with an error IsBadInput does not know (only the node can mark one).
func (b *memBackend) SetRelayCaps(_ context.Context, sessions int, rateKiB int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.caps = append(b.caps, relayCaps{sessions, rateKiB})
	if b.relayErr != nil {
		return b.relayErr
	}
	if sessions < 1 || sessions > 10000 || rateKiB < 1 || rateKiB > 1<<30 {
		return fmt.Errorf("relay caps out of range: %d, %d", sessions, rateKiB)
	}
	b.relay.MaxSessions, b.relay.RateKiB = sessions, rateKiB
	return nil
}

// capsCalls returns the SetRelayCaps calls taken so far.
func (b *memBackend) capsCalls() []relayCaps {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.caps)
}

// askRelay is the node finding no direct path to name under the ask policy.
func (b *memBackend) askRelay(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.indexLocked(name)
	b.contacts[i].RelayConsent = node.ConsentAsked
	c := b.contacts[i]
	b.emitLocked(node.Event{RelayAsk: &c})
}

// relayCalls returns the relay calls taken so far.
func (b *memBackend) relayCalls() ([]relayAnswer, []string, []bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.answers), slices.Clone(b.policies), slices.Clone(b.serves)
}

func (b *memBackend) Card() string   { return goodCard }
func (b *memBackend) QRText() string { return strings.ToUpper(goodCard) }
func (b *memBackend) Name() string   { return b.name }

func (b *memBackend) AddContact(_ context.Context, name, card, addr string) (node.ContactView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case card == goodCard:
		return node.ContactView{}, errors.New("that is your own card")
	case !strings.HasPrefix(card, "tincan:1:") || strings.Contains(card, "x"):
		return node.ContactView{}, fmt.Errorf("parse card: %w",
			errors.New("card checksum does not match (a character is mistyped)"))
	}
	if name == "" {
		name = "Card Name"
	}
	for _, c := range b.contacts {
		if c.Name == name {
			return node.ContactView{}, fmt.Errorf("you already have a contact named %q", name)
		}
	}
	c := node.ContactView{Name: name, Fingerprint: fmt.Sprintf("%064x", len(b.contacts)+1),
		Path: "none", Addr: addr, AddedAt: b.at}
	b.contacts = append(b.contacts, c)
	b.emitLocked(node.Event{Contacts: true})
	return c, nil
}

func (b *memBackend) RemoveContact(_ context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.indexLocked(name)
	if i < 0 {
		return errors.New("no such contact")
	}
	b.contacts = slices.Delete(b.contacts, i, i+1)
	delete(b.msgs, name)
	b.emitLocked(node.Event{Contacts: true})
	return nil
}

func (b *memBackend) Contacts(context.Context) ([]node.ContactView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.contacts), nil
}

func (b *memBackend) Send(_ context.Context, name, text string) (node.MessageView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sendErr != nil {
		return node.MessageView{}, b.sendErr
	}
	if b.indexLocked(name) < 0 {
		return node.MessageView{}, errors.New("no such contact")
	}
	m := b.newMessageLocked(name, "out", text, stateQueued)
	return m, nil
}

func (b *memBackend) History(_ context.Context, name string, limit int) ([]node.MessageView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ms := b.msgs[name]
	if len(ms) > limit {
		ms = ms[len(ms)-limit:]
	}
	return slices.Clone(ms), nil
}

func (b *memBackend) MarkRead(_ context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i := b.indexLocked(name); i >= 0 {
		b.contacts[i].Unread = 0
	}
	b.marked = append(b.marked, name)
	return nil
}

func (b *memBackend) Rotate(_ context.Context, keep []string, newKey bool) (node.RotateResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rotations = append(b.rotations, rotation{keep: slices.Clone(keep), newKey: newKey})
	if b.rotateErr != nil {
		return node.RotateResult{}, b.rotateErr
	}
	res := node.RotateResult{Card: goodCard, Kept: []string{}, Revoked: []string{}}
	for i, c := range b.contacts {
		switch {
		case c.Revoked:
		case slices.Contains(keep, c.Name):
			res.Kept = append(res.Kept, c.Name)
		default:
			b.contacts[i].Revoked = true
			res.Revoked = append(res.Revoked, c.Name)
		}
	}
	b.emitLocked(node.Event{Contacts: true})
	return res, nil
}

func (b *memBackend) rotated() []rotation {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.rotations)
}

func (b *memBackend) Subscribe() (<-chan node.Event, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan node.Event, 256)
	b.subs[ch] = struct{}{}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			delete(b.subs, ch)
			close(ch)
		})
	}
}

func (b *memBackend) emitLocked(ev node.Event) {
	for ch := range b.subs {
		ch <- ev
	}
}

func (b *memBackend) indexLocked(name string) int {
	return slices.IndexFunc(b.contacts, func(c node.ContactView) bool { return c.Name == name })
}

func (b *memBackend) newMessageLocked(name, dir, text, state string) node.MessageView {
	b.seq++
	b.at = b.at.Add(time.Minute)
	m := node.MessageView{ID: fmt.Sprintf("%032x", b.seq), Contact: name, Direction: dir,
		Text: text, SentAt: b.at, At: b.at, State: state}
	b.msgs[name] = append(b.msgs[name], m)
	return m
}

// addContact puts a contact in the list without an event (as if stored
// before the window opened).
func (b *memBackend) addContact(c node.ContactView) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.contacts = append(b.contacts, c)
}

// history puts a message in name's history without an event.
func (b *memBackend) history(name, dir, text, state string) node.MessageView {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.newMessageLocked(name, dir, text, state)
}

// receive is a message arriving from name.
func (b *memBackend) receive(name, text string) node.MessageView {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.newMessageLocked(name, "in", text, stateReceived)
	b.contacts[b.indexLocked(name)].Unread++
	b.emitLocked(node.Event{Message: &m})
	return m
}

// setState moves one of our messages to state, as acks arrive.
func (b *memBackend) setState(name, id, state string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, m := range b.msgs[name] {
		if m.ID == id {
			b.msgs[name][i].State = state
			m.State = state
			b.emitLocked(node.Event{Message: &m})
			return
		}
	}
}

// presence changes how name is reached.
func (b *memBackend) presence(name string, online bool, path, remote string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.indexLocked(name)
	b.contacts[i].Online, b.contacts[i].Path, b.contacts[i].Remote = online, path, remote
	c := b.contacts[i]
	b.emitLocked(node.Event{Presence: &c})
}

func (b *memBackend) markedNames() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.marked)
}

// open starts the main window over b in a fresh test app.
func open(t *testing.T, b Backend) (*Main, *pump) {
	t.Helper()
	test.NewTempApp(t)
	p := newPump(t)
	m := Run(fyne.CurrentApp(), b, Options{})
	t.Cleanup(m.Stop)
	p.until(t, "the contact list loads", func() bool { return m.loaded })
	return m, p
}

// capture saves what w shows as build/<name>.png for a person to look at.
// Painting is slow under the race detector, so -race runs leave it out; run
// `go test -run Screenshot ./ui/` to refresh the pictures.
func capture(t *testing.T, w fyne.Window, name string) {
	t.Helper()
	if raceEnabled {
		return
	}
	dir := filepath.Join("..", "build")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// walk visits o and everything drawn inside it.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, visit)
		}
	}
}

// shown returns the visible objects of type T in the window and its dialogs.
func shown[T fyne.CanvasObject](w fyne.Window) []T {
	var out []T
	visit := func(o fyne.CanvasObject) {
		if x, ok := o.(T); ok {
			out = append(out, x)
		}
	}
	walk(w.Canvas().Content(), visit)
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, visit)
	}
	return out
}

// badge is the unread badge the list shows for name ("" when none).
func badge(m *Main, name string) string {
	for _, r := range shown[*contactRow](m.w) {
		if r.name.Text == name {
			if r.badge.Visible() {
				return r.count.Text
			}
			return ""
		}
	}
	return "(no row for " + name + ")"
}

// reachShown is the reach line the list shows for name.
func reachShown(m *Main, name string) string {
	for _, r := range shown[*contactRow](m.w) {
		if r.name.Text == name {
			return r.sub.Text()
		}
	}
	return "(no row for " + name + ")"
}

// bubbles returns the text and meta line of each bubble shown, in order.
func bubbles(m *Main) [][2]string {
	var out [][2]string
	for _, b := range shown[*bubble](m.w) {
		out = append(out, [2]string{b.text.Text, b.meta.Text})
	}
	return out
}
