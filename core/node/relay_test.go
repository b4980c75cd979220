package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tincan/core/identity"
)

// relayNode is a running node with the given relay options, no overlay.
func relayNode(t *testing.T, name string, ro RelayOptions) *Node {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
	if err := Create(home, ks, name); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	n, err := Open(Options{Home: home, Keystore: ks, Listen: "127.0.0.1:0", Relay: ro,
		Overlay: OverlayOptions{Disable: true}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// gate forwards TCP connections to a target while open; while shut it
// closes every connection at once, as a NAT that drops them would fail them.
type gate struct {
	ln     net.Listener
	target string
	open   atomic.Bool
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

// track remembers c so that closing the gate closes it.
func (g *gate) track(c net.Conn) {
	g.mu.Lock()
	g.conns = append(g.conns, c)
	g.mu.Unlock()
}

func (g *gate) close() {
	g.ln.Close()
	g.mu.Lock()
	for _, c := range g.conns {
		c.Close()
	}
	g.mu.Unlock()
	g.wg.Wait()
}

func newGate(t *testing.T, target string) *gate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln, target: target}
	g.wg.Add(1)
	go g.serve()
	t.Cleanup(g.close)
	return g
}

func (g *gate) addr() string { return g.ln.Addr().String() }

func (g *gate) serve() {
	defer g.wg.Done()
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		if !g.open.Load() {
			c.Close()
			continue
		}
		g.track(c)
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			defer c.Close()
			up, err := net.Dial("tcp", g.target)
			if err != nil {
				return
			}
			g.track(up)
			defer up.Close()
			done := make(chan struct{}, 2)
			go func() { io.Copy(up, c); done <- struct{}{} }()
			go func() { io.Copy(c, up); done <- struct{}{} }()
			<-done
		}()
	}
}

// befriendVia makes a and b contacts, each reaching the other at the given address.
func befriendVia(t *testing.T, a, b *Node, aSeesB, bSeesA string) {
	t.Helper()
	ctx := context.Background()
	if _, err := a.AddContact(ctx, b.Name(), b.Card(), aSeesB); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddContact(ctx, a.Name(), a.Card(), bSeesA); err != nil {
		t.Fatal(err)
	}
}

// waitPath waits until n reaches contact name by path.
func waitPath(t *testing.T, n *Node, name, path string) ContactView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last ContactView
	for time.Now().Before(deadline) {
		cs, err := n.Contacts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Name == name {
				last = c
				if c.Path == path {
					return c
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never reached %s by %s; last %+v", n.Name(), name, path, last)
	return last
}

// waitDelivered waits until every message n sent to name is delivered and
// returns how many n has received from name.
func waitDelivered(t *testing.T, n *Node, name string, sent int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ms, err := n.History(context.Background(), name, 0)
		if err != nil {
			t.Fatal(err)
		}
		out, delivered := 0, 0
		for _, m := range ms {
			if m.Direction == "out" {
				out++
				if m.State == "delivered" {
					delivered++
				}
			}
		}
		if out != sent {
			t.Fatalf("%s has %d messages to %s, sent %d", n.Name(), out, name, sent)
		}
		if delivered == sent {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: messages to %s not all delivered", n.Name(), name)
}

// received lists the texts n received from name, in order.
func received(t *testing.T, n *Node, name string) []string {
	t.Helper()
	ms, err := n.History(context.Background(), name, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.Direction == "in" {
			out = append(out, m.Text)
		}
	}
	return out
}

// TestRelayThenUpgradeToDirect: two contacts that cannot reach each other
// talk through a third node's relay, then switch to a direct path when one
// opens, losing and duplicating nothing.
func TestRelayThenUpgradeToDirect(t *testing.T) {
	serve := true
	r := relayNode(t, "relay", RelayOptions{Serve: &serve})
	static := []string{r.ListenAddr()}
	a := relayNode(t, "ana", RelayOptions{Use: RelaysAlways, Static: static, UpgradeEvery: 300 * time.Millisecond})
	b := relayNode(t, "bo", RelayOptions{Use: RelaysAlways, Static: static, UpgradeEvery: 300 * time.Millisecond})
	toB, toA := newGate(t, b.ListenAddr()), newGate(t, a.ListenAddr())
	befriendVia(t, a, b, toB.addr(), toA.addr())
	ctx := context.Background()

	const n = 20
	for i := range n / 2 {
		if _, err := a.Send(ctx, "bo", fmt.Sprintf("m%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	cv := waitPath(t, a, "bo", "relay")
	if cv.Relay != r.ListenAddr() {
		t.Errorf("relay shown as %q, want %q", cv.Relay, r.ListenAddr())
	}
	waitPath(t, b, "ana", "relay")
	waitDelivered(t, a, "bo", n/2)
	st, err := r.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Relay.Serve || st.Relay.Sessions == 0 || st.Relay.BytesRelayed == 0 {
		t.Errorf("relay status %+v: want serving with a session and bytes relayed", *st.Relay)
	}

	toB.open.Store(true)
	toA.open.Store(true)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // keep sending while the path changes
		defer wg.Done()
		for i := n / 2; i < n; i++ {
			if _, err := a.Send(ctx, "bo", fmt.Sprintf("m%02d", i)); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(30 * time.Millisecond)
		}
	}()
	cv = waitPath(t, a, "bo", "direct")
	if cv.Relay != "" {
		t.Errorf("direct path still names relay %q", cv.Relay)
	}
	wg.Wait()
	waitDelivered(t, a, "bo", n)
	got := received(t, b, "ana")
	if len(got) != n {
		t.Fatalf("bo received %d messages, want %d: %v", len(got), n, got)
	}
	for i, text := range got {
		if want := fmt.Sprintf("m%02d", i); text != want {
			t.Fatalf("message %d is %q, want %q (all: %v)", i, text, want, got)
		}
	}
}

// TestRelayAsksFirst: under the "ask" policy nothing is relayed until the
// user says yes; the question arrives as an event, once.
func TestRelayAsksFirst(t *testing.T) {
	serve := true
	r := relayNode(t, "relay", RelayOptions{Serve: &serve})
	static := []string{r.ListenAddr()}
	a := relayNode(t, "ana", RelayOptions{Use: RelaysAsk, Static: static})
	b := relayNode(t, "bo", RelayOptions{Use: RelaysAlways, Static: static})
	events, cancel := a.Subscribe()
	defer cancel()
	shut := newGate(t, "127.0.0.1:9") // never opens
	befriendVia(t, a, b, shut.addr(), shut.addr())
	ctx := context.Background()
	if _, err := a.Send(ctx, "bo", "hello"); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, events, "relay question", func(e Event) bool { return e.RelayAsk != nil })
	if ev.RelayAsk.Name != "bo" || ev.RelayAsk.RelayConsent != ConsentAsked {
		t.Fatalf("relay question %+v", *ev.RelayAsk)
	}
	cv := waitPath(t, a, "bo", "none")
	if cv.RelayConsent != ConsentAsked {
		t.Errorf("consent shown as %q, want %q", cv.RelayConsent, ConsentAsked)
	}
	if err := a.AnswerRelay(ctx, "bo", true); err != nil {
		t.Fatal(err)
	}
	waitPath(t, a, "bo", "relay")
	waitDelivered(t, a, "bo", 1)
	if cv := waitPath(t, a, "bo", "relay"); cv.RelayConsent != ConsentAllowed {
		t.Errorf("consent shown as %q after yes", cv.RelayConsent)
	}
	if err := a.AnswerRelay(ctx, "nobody", true); !IsBadInput(err) || !errors.Is(err, ErrUnknownContact) {
		t.Errorf("answer for an unknown contact: %v", err)
	}
}

// TestRelayNeverAndRefusingRelay: "never" keeps messages queued, and a node
// that does not serve refuses to relay.
func TestRelayNeverAndRefusingRelay(t *testing.T) {
	r := relayNode(t, "relay", RelayOptions{}) // serving is off by default
	static := []string{r.ListenAddr()}
	a := relayNode(t, "ana", RelayOptions{Use: RelaysAlways, Static: static})
	b := relayNode(t, "bo", RelayOptions{Use: RelaysAlways, Static: static})
	shut := newGate(t, "127.0.0.1:9")
	befriendVia(t, a, b, shut.addr(), shut.addr())
	ctx := context.Background()
	// Both have something to say, so both keep trying (without the overlay
	// nothing else tells bo that ana is at the relay).
	if _, err := a.Send(ctx, "bo", "hello"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Send(ctx, "ana", "hi"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if cv := waitPath(t, a, "bo", "none"); cv.Online {
		t.Fatalf("online through a relay that does not serve: %+v", cv)
	}
	st, _ := r.Status(ctx)
	if st.Relay.Serve || st.Relay.Refused == 0 {
		t.Errorf("relay status %+v: want not serving, refusals counted", *st.Relay)
	}
	if err := a.SetRelayPolicy(ctx, "sometimes"); !IsBadInput(err) {
		t.Errorf("bad policy: %v", err)
	}
	if err := a.SetRelayPolicy(ctx, RelaysNever); err != nil {
		t.Fatal(err)
	}
	if err := r.SetServeRelay(ctx, true); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if cv := waitPath(t, a, "bo", "none"); cv.Online {
		t.Fatalf("relayed under the never policy: %+v", cv)
	}
	if err := a.SetRelayPolicy(ctx, RelaysAlways); err != nil {
		t.Fatal(err)
	}
	a.chat.Kick(mustContactID(t, a, "bo"))
	b.chat.Kick(mustContactID(t, b, "ana"))
	waitPath(t, a, "bo", "relay")
	waitDelivered(t, a, "bo", 1)
	waitDelivered(t, b, "ana", 1)
}

func mustContactID(t *testing.T, n *Node, name string) int64 {
	t.Helper()
	c, err := n.contactByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}
