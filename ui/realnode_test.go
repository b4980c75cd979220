package ui

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"tincan/core/identity"
	"tincan/core/node"
)

// realNode starts a real node (file keystore, loopback listener) in a temp home.
func realNode(t *testing.T, name string) *node.Node {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
	if err := node.Create(home, ks, name); err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(node.Options{Home: home, Keystore: ks, Listen: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// TestRealNodesAddContactSendAndDeliver drives the window over two real
// nodes: Ana adds Ben through the dialog, sends with Enter, and watches the
// bubble reach "delivered"; Ben's reply appears as an incoming bubble.
func TestRealNodesAddContactSendAndDeliver(t *testing.T) {
	ana, ben := realNode(t, "Ana"), realNode(t, "Ben")
	if _, err := ben.AddContact(context.Background(), "Ana", ana.Card(), ana.ListenAddr()); err != nil {
		t.Fatal(err)
	}
	m, p := open(t, ana)

	test.Tap(findButton(t, m.w, "Add contact"))
	d := m.addDialog
	test.Type(d.card, ben.Card())
	test.Type(d.addr, ben.ListenAddr())
	test.Tap(d.add)
	p.until(t, "Ben is added (name taken from his card) and his chat opens", func() bool {
		return m.addDialog == nil && m.selected == "Ben"
	})
	p.until(t, "Ben shows online and direct", func() bool {
		return strings.HasPrefix(reachShown(m, "Ben"), "direct")
	})

	test.Type(m.chat.entry, "hello over real TLS")
	m.chat.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	p.until(t, "the bubble reaches delivered", func() bool {
		bs := bubbles(m)
		return len(bs) == 1 && bs[0][0] == "hello over real TLS" && strings.HasSuffix(bs[0][1], "✓✓ delivered")
	})
	hist, err := ben.History(context.Background(), "Ana", 0)
	if err != nil || len(hist) != 1 || hist[0].Text != "hello over real TLS" {
		t.Fatalf("Ben's history: %+v, %v", hist, err)
	}

	if _, err := ben.Send(context.Background(), "Ana", "got it"); err != nil {
		t.Fatal(err)
	}
	p.until(t, "Ben's reply appears on the left", func() bool {
		bs := bubbles(m)
		return len(bs) == 2 && bs[1][0] == "got it"
	})
	if b := shown[*bubble](m.w)[1]; b.out {
		t.Fatal("an incoming message was drawn as outgoing")
	}
}

// TestRealNodeRelayCaps sets the relay caps of a real node through the
// Network dialog: caps out of range show the node's own words, and good
// ones reach the node.
func TestRealNodeRelayCaps(t *testing.T) {
	n := realNode(t, "Ana")
	if err := n.SetServeRelay(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	m, p := open(t, n)
	d := openNetworkDialog(t, m, p)
	f := d.caps
	if f.sessions.Text != "16" || f.rate.Text != "256" {
		t.Fatalf("caps show %q, %q; want the node's defaults 16, 256", f.sessions.Text, f.rate.Text)
	}

	retype(f.sessions, "0")
	test.Tap(f.apply)
	p.until(t, "the node refuses", func() bool { return f.problem.Visible() && !f.apply.Disabled() })
	if f.problem.Text != "Relay sessions must be 1 to 10000, not 0." {
		t.Fatalf("problem %q", f.problem.Text)
	}

	retype(f.sessions, "8")
	retype(f.rate, "1024")
	test.Tap(f.apply)
	p.until(t, "the caps are applied", func() bool { return !f.problem.Visible() && !f.apply.Disabled() })
	st, err := n.Status(context.Background())
	if err != nil || st.Relay.MaxSessions != 8 || st.Relay.RateKiB != 1024 {
		t.Fatalf("node caps %+v, %v; want 8 and 1024", st.Relay, err)
	}
}
