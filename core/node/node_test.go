package node

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tincan/core/control"
	"tincan/core/identity"
)

// testNode is a running node with a file keystore in a temp home.
func testNode(t *testing.T, name string) *Node {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
	if err := Create(home, ks, name); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	n, err := Open(Options{Home: home, Keystore: ks, Listen: "127.0.0.1:0", Control: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// befriend makes a and b contacts of each other, reachable at their listeners.
func befriend(t *testing.T, a, b *Node) {
	t.Helper()
	ctx := context.Background()
	if _, err := a.AddContact(ctx, b.Name(), b.Card(), b.ListenAddr()); err != nil {
		t.Fatalf("%s adds %s: %v", a.Name(), b.Name(), err)
	}
	if _, err := b.AddContact(ctx, a.Name(), a.Card(), a.ListenAddr()); err != nil {
		t.Fatalf("%s adds %s: %v", b.Name(), a.Name(), err)
	}
}

// waitEvent reads events until match returns true, failing after 30 s.
func waitEvent(t *testing.T, ch <-chan Event, what string, match func(Event) bool) Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("event channel closed while waiting for %s", what)
			}
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestTwoNodesChatWithDeliveryStates(t *testing.T) {
	ctx := context.Background()
	ana, ben := testNode(t, "Ana"), testNode(t, "Ben")
	anaEvents, stopA := ana.Subscribe()
	defer stopA()
	benEvents, stopB := ben.Subscribe()
	defer stopB()
	befriend(t, ana, ben)

	sent, err := ana.Send(ctx, "Ben", "hello Ben")
	if err != nil {
		t.Fatal(err)
	}
	if sent.State != "queued" || sent.Direction != "out" || len(sent.ID) != 32 {
		t.Fatalf("Send returned %+v, want a queued outgoing message with a 32-hex ID", sent)
	}
	// Ana sees her message go queued -> (sent) -> delivered, in that order.
	var states []string
	waitEvent(t, anaEvents, "delivered", func(ev Event) bool {
		if ev.Message != nil && ev.Message.ID == sent.ID {
			states = append(states, ev.Message.State)
			if ev.Message.Text != "hello Ben" {
				t.Errorf("state event carries text %q", ev.Message.Text)
			}
			return ev.Message.State == "delivered"
		}
		return false
	})
	if states[0] != "queued" || (len(states) == 3 && states[1] != "sent") {
		t.Errorf("states went %v, want queued, sent, delivered", states)
	}
	got := waitEvent(t, benEvents, "Ben receives", func(ev Event) bool {
		return ev.Message != nil && ev.Message.Direction == "in"
	})
	if got.Message.Text != "hello Ben" || got.Message.Contact != "Ana" || got.Message.ID != sent.ID || got.Message.State != "received" {
		t.Fatalf("Ben got %+v", got.Message)
	}
	hist, err := ben.History(ctx, "Ana", 0)
	if err != nil || len(hist) != 1 || hist[0].Text != "hello Ben" {
		t.Fatalf("Ben's history: %+v, %v", hist, err)
	}
	cs, err := ben.Contacts(ctx)
	if err != nil || len(cs) != 1 || cs[0].Unread != 1 {
		t.Fatalf("Ben's contacts: %+v, %v", cs, err)
	}
	if err := ben.MarkRead(ctx, "Ana"); err != nil {
		t.Fatal(err)
	}
	cs, _ = ben.Contacts(ctx)
	if cs[0].Unread != 0 {
		t.Fatalf("unread after MarkRead: %d", cs[0].Unread)
	}
	// Delivered is reported first; the outbox row goes with the record,
	// within 20 ms.
	var st Status
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		if st, err = ana.Status(ctx); err != nil {
			t.Fatal(err)
		}
		if st.Outbox == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st.Name != "Ana" || st.Outbox != 0 || len(st.Contacts) != 1 || !strings.HasPrefix(st.Card, "tincan:1:") || st.Keystore != "file" {
		t.Fatalf("status: %+v", st)
	}
	if !st.Contacts[0].Online || st.Contacts[0].Path != "direct" {
		t.Fatalf("Ben should be online and direct in Ana's status: %+v", st.Contacts[0])
	}
}

func TestAddContactRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	ana, ben := testNode(t, "Ana"), testNode(t, "Ben")
	cases := []struct {
		name, card, addr, want string
		is                     error
	}{
		{"Me", ana.Card(), "", "own card", ErrSelf},
		{"X", "hello", "", "tincan:", nil},
		{"X", ben.Card()[:40], "", "truncated", nil},
		{"Ben", ben.Card(), "nohostport", "host:port", nil},
		{"Ben", ben.Card(), "127.0.0.1:99999", "port", nil},
	}
	for _, c := range cases {
		_, err := ana.AddContact(ctx, c.name, c.card, c.addr)
		if err == nil || !IsBadInput(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddContact(%q, %.20q, %q) = %v, want bad input mentioning %q", c.name, c.card, c.addr, err, c.want)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("AddContact(%q) = %v, want %v", c.name, err, c.is)
		}
	}
	if _, err := ana.AddContact(ctx, "Ben", ben.Card(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.AddContact(ctx, "Benny", ben.Card(), ""); err == nil || !IsBadInput(err) || !strings.Contains(err.Error(), `as "Ben"`) {
		t.Errorf("duplicate card: %v", err)
	}
	carl := testNode(t, "Carl")
	if _, err := ana.AddContact(ctx, "Ben", carl.Card(), ""); err == nil || !IsBadInput(err) || !strings.Contains(err.Error(), "already have a contact named") {
		t.Errorf("duplicate name: %v", err)
	}
	// An empty name takes the card's own.
	if v, err := ana.AddContact(ctx, "", carl.Card(), ""); err != nil || v.Name != "Carl" {
		t.Errorf("name from card: %+v, %v", v, err)
	}
	if err := ana.RemoveContact(ctx, "Nobody"); !errors.Is(err, ErrUnknownContact) || !IsBadInput(err) {
		t.Errorf("remove unknown: %v", err)
	}
	if err := ana.RemoveContact(ctx, "Carl"); err != nil {
		t.Fatal(err)
	}
	if cs, _ := ana.Contacts(ctx); len(cs) != 1 || cs[0].Name != "Ben" {
		t.Errorf("contacts after removing Carl: %+v", cs)
	}
}

func TestSendRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	ana, ben := testNode(t, "Ana"), testNode(t, "Ben")
	if _, err := ana.Send(ctx, "Ben", "hi"); !errors.Is(err, ErrUnknownContact) || ExitCode(err) != 2 {
		t.Errorf("send to unknown: %v (exit %d)", err, ExitCode(err))
	}
	if _, err := ana.AddContact(ctx, "Ben", ben.Card(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.Send(ctx, "Ben", "  \n"); !errors.Is(err, ErrEmptyMessage) || ExitCode(err) != 2 {
		t.Errorf("empty: %v", err)
	}
	if _, err := ana.Send(ctx, "Ben", strings.Repeat("x", 17<<10)); err == nil || ExitCode(err) != 2 {
		t.Errorf("too long: %v", err)
	}
	// With Ben unreachable (no address), the message waits in the outbox.
	if m, err := ana.Send(ctx, "Ben", "later"); err != nil || m.State != "queued" {
		t.Fatalf("queue for offline contact: %+v, %v", m, err)
	}
	if st, _ := ana.Status(ctx); st.Outbox != 1 {
		t.Errorf("outbox = %d, want 1", st.Outbox)
	}
}

func TestControlSocketIsOwnerOnlyAndExclusive(t *testing.T) {
	ana := testNode(t, "Ana")
	sock := filepath.Join(ana.Home(), control.SocketName)
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("control socket mode %v, want 0600", fi.Mode().Perm())
	}
	ctx := context.Background()
	resp, err := control.Call(ctx, ana.Home(), control.Request{Cmd: "id"})
	if err != nil || !resp.OK || !strings.Contains(string(resp.Data), `"card":"tincan:1:`) {
		t.Fatalf("id over the socket: %+v, %v", resp, err)
	}
	resp, err = control.Call(ctx, ana.Home(), control.Request{Cmd: "frobnicate"})
	if err != nil || resp.OK || resp.Code != control.CodeBadInput {
		t.Fatalf("unknown command: %+v, %v", resp, err)
	}
	// A second node on the same home is refused before it touches the store.
	_, err = Open(Options{Home: ana.Home(), Keystore: identity.NewFileKeystore(filepath.Join(ana.Home(), "keystore")), Control: true})
	if !errors.Is(err, control.ErrAlreadyRunning) {
		t.Fatalf("second node on one home: %v", err)
	}
	ana.Close()
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left behind after Close: %v", err)
	}
	if _, err := control.Call(ctx, ana.Home(), control.Request{Cmd: "id"}); !errors.Is(err, control.ErrNotRunning) {
		t.Errorf("call after close: %v", err)
	}
}

func TestOpenWithoutIdentity(t *testing.T) {
	home := t.TempDir()
	_, err := Open(Options{Home: home, Keystore: identity.NewFileKeystore(filepath.Join(home, "keystore"))})
	if !errors.Is(err, identity.ErrNoIdentity) {
		t.Fatalf("Open on empty home: %v, want ErrNoIdentity", err)
	}
	if err := Create(home, identity.NewFileKeystore(filepath.Join(home, "keystore")), " "); !IsBadInput(err) {
		t.Fatalf("Create with blank name: %v, want bad input", err)
	}
}
