package node

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"tincan/core/identity"
	"tincan/core/overlay"
)

// overlayNode starts a node that joins the overlay through bootstrap.
func overlayNode(t *testing.T, name string, bootstrap ...string) *Node {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
	if err := Create(home, ks, name); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	n, err := Open(Options{Home: home, Keystore: ks, Listen: "127.0.0.1:0",
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Overlay: OverlayOptions{Bootstrap: bootstrap}})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func joined(n *Node) bool {
	st, err := n.Status(context.Background())
	return err == nil && st.Overlay != nil && st.Overlay.Joined
}

// TestContactsFindEachOtherWithNoAddress: nodes join through one entry node;
// contacts added with no address are found through the overlay and chat.
func TestContactsFindEachOtherWithNoAddress(t *testing.T) {
	ctx := context.Background()
	entry := overlayNode(t, "Entry")
	var others []*Node
	for _, name := range []string{"Ana", "Ben", "Carl", "Dee"} {
		others = append(others, overlayNode(t, name, entry.ListenAddr()))
	}
	for _, n := range others {
		waitUntil(t, n.Name()+" joins", func() bool { return joined(n) })
	}
	ana, ben := others[0], others[1]
	if _, err := ana.AddContact(ctx, "Ben", ben.Card(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ben.AddContact(ctx, "Ana", ana.Card(), ""); err != nil {
		t.Fatal(err)
	}
	m, err := ana.Send(ctx, "Ben", "found you without an address")
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the message is delivered", func() bool {
		h, _ := ana.History(ctx, "Ben", 0)
		return len(h) == 1 && h[0].ID == m.ID && h[0].State == "delivered"
	})
	h, err := ben.History(ctx, "Ana", 0)
	if err != nil || len(h) != 1 || h[0].Text != "found you without an address" {
		t.Fatalf("Ben's history: %+v, %v", h, err)
	}
	cs, _ := ana.Contacts(ctx)
	if cs[0].Via == "" || cs[0].LastReached == nil || cs[0].Addr != "" {
		t.Fatalf("Ana's view of Ben should say how the overlay found him: %+v", cs[0])
	}
	st, err := ana.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Overlay.GUID) != 40 || st.Overlay.Peers == 0 || len(st.Overlay.Buckets) == 0 || st.Overlay.Links == 0 {
		t.Fatalf("overlay status: %+v", st.Overlay)
	}
	// The GUID is the node key's hash, not the user's key.
	if st.Overlay.GUID == st.Fingerprint[:40] {
		t.Fatal("overlay GUID reveals the user's key fingerprint")
	}
	// Carl, who has no card, gets no answer from Ana's node.
	carl := others[2]
	if _, err := carl.AddContact(ctx, "Ana", ana.Card(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := carl.Send(ctx, "Ana", "let me in"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	if h, _ := carl.History(ctx, "Ana", 0); h[0].State == "delivered" {
		t.Fatal("a stranger to Ana got a message delivered")
	}
}

// TestRotationThroughTheOverlay: after Ana rotates keeping Ben and dropping
// Carl, Ben (with her new card) still finds her with no address, and Carl's
// overlay requests for her old secret ID go unanswered.
func TestRotationThroughTheOverlay(t *testing.T) {
	ctx := context.Background()
	entry := overlayNode(t, "Entry")
	ana := overlayNode(t, "Ana", entry.ListenAddr())
	ben := overlayNode(t, "Ben", entry.ListenAddr())
	carl := overlayNode(t, "Carl", entry.ListenAddr())
	for _, n := range []*Node{ana, ben, carl} {
		waitUntil(t, n.Name()+" joins", func() bool { return joined(n) })
	}
	for _, p := range [][2]*Node{{ana, ben}, {ben, ana}, {ana, carl}} {
		if _, err := p[0].AddContact(ctx, p[1].Name(), p[1].Card(), ""); err != nil {
			t.Fatal(err)
		}
	}
	oldCard := ana.Card() // Carl adds it only after the rotation, so nothing of his is cached
	m, _ := ben.Send(ctx, "Ana", "before")
	waitUntil(t, "Ben reaches Ana through the overlay", func() bool {
		h, _ := ben.History(ctx, "Ana", 0)
		return len(h) == 1 && h[0].ID == m.ID && h[0].State == "delivered"
	})
	if _, err := ana.Rotate(ctx, []string{"Ben"}, false); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "Ben stores Ana's new card", func() bool {
		c, err := ben.st.ContactByName(ctx, "Ana")
		return err == nil && c.Card == ana.Card()
	})
	// Ben finds Ana again, now by her new secret ID.
	m, _ = ben.Send(ctx, "Ana", "after")
	waitUntil(t, "Ben's message after the rotation is delivered", func() bool {
		h, _ := ben.History(ctx, "Ana", 0)
		return len(h) == 2 && h[1].ID == m.ID && h[1].State == "delivered"
	})
	// Carl, holding the old card, asks the overlay for Ana: no answer.
	if _, err := carl.AddContact(ctx, "Ana", oldCard, ""); err != nil {
		t.Fatal(err)
	}
	old, err := carl.st.ContactByName(ctx, "Ana")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.ParsePKIXPublicKey(old.PublicKey)
	_, err = carl.ov.run.Connect(ctx, overlay.ConnectRequest{
		SecretID: overlay.SecretID(old.SecretID),
		Sealer:   overlay.RSASealer{Key: pub.(*rsa.PublicKey)},
	})
	if !errors.Is(err, overlay.ErrUnreachable) {
		t.Fatalf("Carl's set-up request for Ana's old secret ID: %v, want no answer", err)
	}
}
