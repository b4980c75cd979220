package node

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tincan/core/contact"
	"tincan/core/control"
	"tincan/core/identity"
	"tincan/core/store"
)

// Identities are slow to make (RSA-3072 under -race), so rotation tests
// make each name's once and save it into every home that needs it.
var (
	idMu  sync.Mutex
	idsBy = map[string]*identity.Identity{}
)

// cachedNode is testNode with the name's identity made once per test run.
func cachedNode(t *testing.T, name string) *Node {
	t.Helper()
	idMu.Lock()
	id := idsBy[name]
	if id == nil {
		var err error
		if id, err = identity.Generate(name); err != nil {
			idMu.Unlock()
			t.Fatal(err)
		}
		idsBy[name] = id
	}
	idMu.Unlock()
	home := filepath.Join(t.TempDir(), name)
	ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
	if err := identity.Save(home, ks, id); err != nil {
		t.Fatal(err)
	}
	n, err := Open(Options{Home: home, Keystore: ks, Listen: "127.0.0.1:0", Control: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// eventually polls cond until it holds, failing after 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// keystoreOf is the file keystore cachedNode gave n.
func keystoreOf(n *Node) identity.Keystore {
	return identity.NewFileKeystore(filepath.Join(n.Home(), "keystore"))
}

// reopen closes n and opens its home again on the same address.
func reopen(t *testing.T, n *Node) *Node {
	t.Helper()
	addr := n.ListenAddr()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := Open(Options{Home: n.Home(), Keystore: keystoreOf(n), Listen: addr, Control: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("reopen %s: %v", n.Home(), err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// state returns the state of n's message id with contact name ("" if none).
func state(t *testing.T, n *Node, name, id string) string {
	t.Helper()
	hist, err := n.History(context.Background(), name, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range hist {
		if m.ID == id {
			return m.State
		}
	}
	return ""
}

// delivered sends text from n to name and waits until it is delivered.
func delivered(t *testing.T, n *Node, name, text string) {
	t.Helper()
	m, err := n.Send(context.Background(), name, text)
	if err != nil {
		t.Fatalf("%s sends to %s: %v", n.Name(), name, err)
	}
	eventually(t, n.Name()+"'s message to "+name+" delivered", func() bool {
		return state(t, n, name, m.ID) == "delivered"
	})
}

// holds reports whether n's entry for name carries the card text.
func holds(n *Node, name, card string) bool {
	c, err := n.st.ContactByName(context.Background(), name)
	return err == nil && c.Card == card
}

func TestRotateKeepsBenAndDropsCarl(t *testing.T) {
	for _, newKey := range []bool{false, true} {
		name := "same key"
		if newKey {
			name = "new key"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ana, ben, carl := cachedNode(t, "Ana"), cachedNode(t, "Ben"), cachedNode(t, "Carl")
			befriend(t, ana, ben)
			befriend(t, ana, carl)
			delivered(t, ana, "Ben", "hi Ben")
			delivered(t, ana, "Carl", "hi Carl")
			oldCard, oldFP := ana.Card(), ana.fingerprint()

			res, err := ana.Rotate(ctx, []string{"Ben"}, newKey)
			if err != nil {
				t.Fatal(err)
			}
			if res.Card != ana.Card() || res.Card == oldCard || !slices.Equal(res.Kept, []string{"Ben"}) || !slices.Equal(res.Revoked, []string{"Carl"}) {
				t.Fatalf("Rotate = %+v (card changed: %v)", res, res.Card != oldCard)
			}
			if keyChanged := string(ana.fingerprint()) != string(oldFP); keyChanged != newKey {
				t.Fatalf("key changed = %v, want %v", keyChanged, newKey)
			}
			saved, err := identity.Load(ana.Home(), keystoreOf(ana))
			if err != nil || contact.CardOf(saved).String() != res.Card {
				t.Fatalf("saved identity does not have the new card: %v", err)
			}

			eventually(t, "Ben to store Ana's new card", func() bool { return holds(ben, "Ana", res.Card) })
			cs, err := ben.Contacts(ctx)
			if err != nil || len(cs) != 1 || cs[0].Fingerprint != hexOf(ana.fingerprint()) || cs[0].Revoked {
				t.Fatalf("Ben's contacts: %+v, %v", cs, err)
			}
			cs, err = ana.Contacts(ctx)
			if err != nil || len(cs) != 2 || cs[0].Name != "Ben" || cs[0].Revoked || cs[1].Name != "Carl" || !cs[1].Revoked {
				t.Fatalf("Ana's contacts after rotating: %+v, %v", cs, err)
			}
			if _, err := ana.Send(ctx, "Carl", "psst"); !errors.Is(err, ErrRevoked) || !IsBadInput(err) {
				t.Errorf("send to revoked Carl: %v, want bad input ErrRevoked", err)
			}

			// Carl's request goes unanswered while Ben's, sent after it, is
			// delivered; and Carl's stays queued for a while longer.
			carlMsg, err := carl.Send(ctx, "Ana", "let me in")
			if err != nil {
				t.Fatal(err)
			}
			delivered(t, ben, "Ana", "still friends")
			delivered(t, ana, "Ben", "yes we are")
			time.Sleep(1500 * time.Millisecond) // Carl retries meanwhile
			if s := state(t, carl, "Ana", carlMsg.ID); s != "queued" {
				t.Errorf("Carl's message to Ana is %q, want queued", s)
			}
			hist, err := ana.History(ctx, "Carl", 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range hist {
				if m.Text == "let me in" {
					t.Errorf("Ana received Carl's message after revoking him")
				}
			}
			if len(hist) != 1 || hist[0].Text != "hi Carl" {
				t.Errorf("Ana's history with Carl should be kept as it was: %+v", hist)
			}
		})
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	var s strings.Builder
	for _, c := range b {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&15])
	}
	return s.String()
}

func TestRotateReachesBenAfterRestarts(t *testing.T) {
	ctx := context.Background()
	ana, ben := cachedNode(t, "Ana"), cachedNode(t, "Ben")
	befriend(t, ana, ben)
	delivered(t, ana, "Ben", "hi")
	if err := ben.Close(); err != nil {
		t.Fatal(err)
	}

	res, err := ana.Rotate(ctx, []string{"Ben"}, true)
	if err != nil {
		t.Fatal(err)
	}
	// Ana restarts too while Ben is away: the update and the old key wait.
	ana = reopen(t, ana)
	if ana.Card() != res.Card {
		t.Fatal("Ana came back without her new card")
	}
	if ids, err := ana.st.CardUpdateContacts(ctx); err != nil || len(ids) != 1 {
		t.Fatalf("Ana's waiting card updates after a restart: %v, %v", ids, err)
	}
	ben = reopen(t, ben)
	eventually(t, "Ben to store Ana's new card", func() bool { return holds(ben, "Ana", res.Card) })
	eventually(t, "Ana's update to be acknowledged", func() bool {
		ids, err := ana.st.CardUpdateContacts(ctx)
		return err == nil && len(ids) == 0
	})
	// Nobody pins the old key any more: it is gone from disk.
	eventually(t, "Ana to drop her old key", func() bool {
		keys, err := identity.LoadRetired(ana.Home(), keystoreOf(ana))
		return err == nil && len(keys) == 0
	})
	delivered(t, ben, "Ana", "got your new card")
	delivered(t, ana, "Ben", "good")
}

func TestRotateRefusesBadKeepList(t *testing.T) {
	ctx := context.Background()
	ana, ben := cachedNode(t, "Ana"), cachedNode(t, "Ben")
	befriend(t, ana, ben)
	card := ana.Card()
	resp, err := ana.Handle(ctx, control.Request{Cmd: "rotate", Keep: []string{"Ben", "Nobody"}})
	if ExitCode(err) != control.CodeBadInput || !errors.Is(err, ErrUnknownContact) {
		t.Fatalf("rotate keeping Nobody: %+v, %v (exit %d)", resp, err, ExitCode(err))
	}
	if ana.Card() != card {
		t.Fatal("a refused rotation changed the card")
	}
	if cs, _ := ana.Contacts(ctx); len(cs) != 1 || cs[0].Revoked {
		t.Fatalf("a refused rotation revoked someone: %+v", cs)
	}

	// Keeping nobody revokes everybody; a revoked contact cannot be kept later.
	v, err := ana.Handle(ctx, control.Request{Cmd: "rotate"})
	if err != nil {
		t.Fatal(err)
	}
	if r := v.(RotateResult); len(r.Kept) != 0 || !slices.Equal(r.Revoked, []string{"Ben"}) {
		t.Fatalf("rotate keeping nobody: %+v", r)
	}
	if _, err := ana.Rotate(ctx, []string{"Ben"}, false); !errors.Is(err, ErrRevoked) || !IsBadInput(err) {
		t.Fatalf("keeping a revoked contact: %v, want bad input ErrRevoked", err)
	}
}

// A rotation interrupted by a crash is finished at the next start if the
// new identity was saved, and dropped if it was not.
func TestInterruptedRotation(t *testing.T) {
	ctx := context.Background()
	ben, carl := cachedNode(t, "Ben"), cachedNode(t, "Carl")
	for _, savedNew := range []bool{true, false} {
		ana := cachedNode(t, "Ana")
		for _, other := range []*Node{ben, carl} {
			if _, err := ana.AddContact(ctx, other.Name(), other.Card(), other.ListenAddr()); err != nil {
				t.Fatal(err)
			}
		}
		home, ks := ana.Home(), keystoreOf(ana)
		old, _ := ana.self()
		oldFP := old.Fingerprint()
		if err := ana.Close(); err != nil {
			t.Fatal(err)
		}
		next, err := identity.Rotate(old, false)
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(filepath.Join(home, DBFile))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := st.ContactByName(ctx, "Ben")
		c, _ := st.ContactByName(ctx, "Carl")
		err = st.BeginRotation(ctx, store.Rotation{Card: contact.CardOf(next).String(), PinnedFP: oldFP[:], Keep: []int64{b.ID}, Revoke: []int64{c.ID}})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		if savedNew {
			if err := identity.Save(home, ks, next); err != nil {
				t.Fatal(err)
			}
		}
		ana, err = Open(Options{Home: home, Keystore: ks, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		defer ana.Close()
		if _, err := ana.st.PendingRotation(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("saved=%v: journal left after start: %v", savedNew, err)
		}
		cs, _ := ana.Contacts(ctx)
		ids, _ := ana.st.CardUpdateContacts(ctx)
		if savedNew {
			if len(cs) != 2 || cs[0].Revoked || !cs[1].Revoked || !slices.Equal(ids, []int64{b.ID}) {
				t.Errorf("rotation not finished at start: contacts %+v, card updates %v", cs, ids)
			}
		} else if len(cs) != 2 || cs[0].Revoked || cs[1].Revoked || len(ids) != 0 {
			t.Errorf("unsaved rotation applied at start: contacts %+v, card updates %v", cs, ids)
		}
	}
}
