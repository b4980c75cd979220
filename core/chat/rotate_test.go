package chat

import (
	"bytes"
	"context"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"tincan/core/contact"
	"tincan/core/identity"
	"tincan/core/store"
	"tincan/core/wire"
)

// rotated returns name's identity rotated once (cached: key generation is slow).
var (
	rotatedMu sync.Mutex
	rotatedID = map[string]*identity.Identity{}
)

func rotated(t *testing.T, name string, newKey bool) *identity.Identity {
	t.Helper()
	if !newKey {
		next, err := identity.Rotate(testID(t, name), false)
		if err != nil {
			t.Fatal(err)
		}
		return next
	}
	rotatedMu.Lock()
	defer rotatedMu.Unlock()
	if id := rotatedID[name]; id != nil {
		return id
	}
	next, err := identity.Rotate(testID(t, name), true)
	if err != nil {
		t.Fatal(err)
	}
	rotatedID[name] = next
	return next
}

// rotateTo journals and applies n's rotation to next in n's store: kept
// contacts get next's card, revoked ones are marked. A running manager then
// presents next's key (and retired ones to contacts that pin them) and drops
// the revoked contacts' sessions.
func (n *node) rotateTo(next *identity.Identity, keep, revoke []store.Contact, retired []*rsa.PrivateKey) {
	n.t.Helper()
	ctx := context.Background()
	fp := n.id.Fingerprint()
	r := store.Rotation{Card: contact.CardOf(next).String(), PinnedFP: fp[:]}
	for _, c := range keep {
		r.Keep = append(r.Keep, c.ID)
	}
	for _, c := range revoke {
		r.Revoke = append(r.Revoke, c.ID)
	}
	if err := n.st.BeginRotation(ctx, r); err != nil {
		n.t.Fatal(err)
	}
	if _, err := n.st.FinishRotation(ctx); err != nil {
		n.t.Fatal(err)
	}
	n.id = next
	if n.m == nil {
		return
	}
	if err := n.m.SetIdentity(next, retired); err != nil {
		n.t.Fatal(err)
	}
	for _, c := range revoke {
		n.m.Forget(c.ID)
	}
	for _, c := range keep {
		n.m.Kick(c.ID)
	}
}

// cardStored waits until n's entry for contact c carries id's card.
func (n *node) cardStored(c store.Contact, id *identity.Identity) {
	n.t.Helper()
	want := contact.CardOf(id)
	fp := want.Fingerprint()
	waitFor(n.t, n.name+" to store "+c.Name+"'s new card", func() bool {
		got, err := n.st.ContactByID(context.Background(), c.ID)
		return err == nil && got.Card == want.String() && bytes.Equal(got.Fingerprint, fp[:]) &&
			bytes.Equal(got.SecretID, id.SecretID[:])
	})
}

// noCardUpdates waits until n has no card update left to deliver.
func (n *node) noCardUpdates() {
	n.t.Helper()
	waitFor(n.t, n.name+"'s card updates to be acknowledged", func() bool {
		ids, err := n.st.CardUpdateContacts(context.Background())
		return err == nil && len(ids) == 0
	})
}

func cardEvents(r *recorder) (updated []CardUpdated, delivered int) {
	for _, ev := range r.all() {
		switch e := ev.(type) {
		case CardUpdated:
			updated = append(updated, e)
		case CardDelivered:
			delivered++
		}
	}
	return updated, delivered
}

func TestCardUpdateOverLiveSession(t *testing.T) {
	for _, newKey := range []bool{false, true} {
		name := "same key"
		if newKey {
			name = "new key"
		}
		t.Run(name, func(t *testing.T) {
			checkGoroutines(t)
			a, b := newNode(t, "alice"), newNode(t, "bob")
			bAtA, aAtB := a.know(b), b.know(a)
			a.start()
			b.start()
			a.enqueue(bAtA, "before")
			waitFor(t, "the first message delivered", func() bool { return a.rec.count(store.Delivered) == 1 })

			old := a.id
			next := rotated(t, "alice", newKey)
			var retired []*rsa.PrivateKey
			if newKey {
				retired = []*rsa.PrivateKey{old.Key}
			}
			a.rotateTo(next, []store.Contact{bAtA}, nil, retired)
			b.cardStored(aAtB, next)
			a.noCardUpdates()
			waitFor(t, "alice to report the card delivered", func() bool {
				_, n := cardEvents(a.rec)
				return n == 1
			})
			updated, _ := cardEvents(b.rec)
			if len(updated) != 1 || updated[0].ContactID != aAtB.ID || updated[0].KeyChanged != newKey {
				t.Fatalf("bob's card events: %+v, want one with KeyChanged=%v", updated, newKey)
			}
			if newKey {
				ofp := old.Fingerprint()
				if _, err := b.st.ContactByFingerprint(context.Background(), ofp[:]); err == nil {
					t.Error("bob still finds alice by her old key")
				}
				// Bob pins the new key: alice no longer needs the old one.
				if err := a.m.SetIdentity(next, nil); err != nil {
					t.Fatal(err)
				}
			}

			// They keep talking, both ways.
			a.enqueue(bAtA, "after")
			b.enqueue(aAtB, "reply")
			waitFor(t, "both messages delivered", func() bool {
				return a.rec.count(store.Delivered) == 2 && b.rec.count(store.Delivered) == 1
			})
			checkReceived(t, b, aAtB, []string{"before", "after"})
			checkReceived(t, a, bAtA, []string{"reply"})
			if newKey && !b.m.Presence(aAtB.ID).Online {
				t.Error("bob does not see alice online at her new key")
			}
			a.shutdown()
			b.shutdown()
		})
	}
}

// A kept contact who is offline during the rotation gets the new card when
// both run again, even with a new key and the sender restarted in between.
func TestCardUpdateReachesContactLater(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA, aAtB := a.know(b), b.know(a)
	old := a.id
	next := rotated(t, "alice", true)
	a.rotateTo(next, []store.Contact{bAtA}, nil, nil) // alice is not running
	a.tweak = func(c *Config) { c.Retired = []*rsa.PrivateKey{old.Key} }
	a.start()
	time.Sleep(100 * time.Millisecond) // alice's first dials fail
	b.start()
	b.cardStored(aAtB, next)
	a.noCardUpdates()

	a.enqueue(bAtA, "new key, same alice")
	b.enqueue(aAtB, "hello new alice")
	waitFor(t, "messages delivered both ways", func() bool {
		return a.rec.count(store.Delivered) == 1 && b.rec.count(store.Delivered) == 1
	})
	checkReceived(t, b, aAtB, []string{"new key, same alice"})
	checkReceived(t, a, bAtA, []string{"hello new alice"})
	a.shutdown()
	b.shutdown()
}

func TestRevokedContactIsRefused(t *testing.T) {
	checkGoroutines(t)
	a, c := newNode(t, "alice"), newNode(t, "carol")
	cAtA, aAtC := a.know(c), c.know(a)
	a.start()
	c.start()
	c.enqueue(aAtC, "before")
	waitFor(t, "carol's first message delivered", func() bool { return c.rec.count(store.Delivered) == 1 })

	// Same key: only the revocation keeps carol out.
	a.rotateTo(rotated(t, "alice", false), nil, []store.Contact{cAtA}, nil)
	waitFor(t, "alice to drop carol's session", func() bool { return !a.m.Presence(cAtA.ID).Online })
	c.enqueue(aAtC, "let me in")
	waitFor(t, "alice to refuse carol", func() bool {
		return a.logs.count("refused inbound session from a revoked contact") >= 2 // carol retries
	})
	if ob := c.outbox(aAtC); len(ob) != 1 || ob[0].Body != "let me in" || ob[0].State != store.Queued {
		t.Errorf("carol's message should stay queued, outbox: %+v", ob)
	}
	checkReceived(t, a, cAtA, []string{"before"})

	// Alice does not dial a revoked contact either.
	a.enqueue(cAtA, "never sent")
	waitFor(t, "alice to skip the dial", func() bool { return a.logs.contains("not dialing: contact revoked") })
	if h := incoming(c.history(aAtC)); len(h) != 0 {
		t.Errorf("carol received %v from alice after the revocation", h)
	}
	a.shutdown()
	c.shutdown()
}

func TestCardUpdateChecks(t *testing.T) {
	checkGoroutines(t)
	a, b, c := newNode(t, "alice"), newNode(t, "bob"), newNode(t, "carol")
	bAtA := a.know(b)
	a.know(c)
	a.start()
	ctx := context.Background()
	hello := marshal(t, wire.Hello{Version: wire.Version, Name: "bob"})
	bobNext := rotated(t, "bob", false)

	bad := []struct {
		name string
		card string
	}{
		{"not a card", "hello"},
		{"alice's own key", contact.CardOf(&identity.Identity{Name: "bob", Key: a.id.Key, SecretID: bobNext.SecretID}).String()},
		{"carol's key", contact.CardOf(&identity.Identity{Name: "bob", Key: c.id.Key, SecretID: bobNext.SecretID}).String()},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			conn := rawClient(t, a, b.id)
			if _, err := conn.Write(append(hello, marshal(t, wire.Card{ID: [16]byte{1}, Card: tc.card})...)); err != nil {
				t.Fatal(err)
			}
			types, bye := drain(t, conn)
			if bye != "protocol error" {
				t.Errorf("alice sent %v, bye %q; want a protocol-error bye", types, bye)
			}
			for _, typ := range types {
				if typ == wire.TypeAck {
					t.Error("alice acknowledged a bad card")
				}
			}
			got, err := a.st.ContactByID(ctx, bAtA.ID)
			if err != nil || got.Card != bAtA.Card || !bytes.Equal(got.Fingerprint, bAtA.Fingerprint) {
				t.Errorf("bad card changed bob's entry: %+v, %v", got, err)
			}
		})
	}

	// A good card is stored, then acknowledged; a resend is acknowledged again.
	conn := rawClient(t, a, b.id)
	good := wire.Card{ID: [16]byte{2}, Card: contact.CardOf(bobNext).String()}
	if _, err := conn.Write(append(hello, marshal(t, good)...)); err != nil {
		t.Fatal(err)
	}
	for acks := 0; acks < 2; {
		typ, p, err := wire.ReadFrame(conn)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if typ != wire.TypeAck {
			continue
		}
		var ack wire.Ack
		if err := ack.Unmarshal(p); err != nil || ack.ID != good.ID {
			t.Fatalf("ack %+v, %v; want id %x", ack, err, good.ID)
		}
		got, err := a.st.ContactByID(ctx, bAtA.ID)
		if err != nil || got.Card != good.Card || !bytes.Equal(got.SecretID, bobNext.SecretID[:]) {
			t.Fatalf("acknowledged before the commit: %+v, %v", got, err)
		}
		acks++
		if acks == 1 {
			if _, err := conn.Write(marshal(t, good)); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitFor(t, "two card events", func() bool {
		u, _ := cardEvents(a.rec)
		return len(u) == 2
	})
	if u, _ := cardEvents(a.rec); u[0].KeyChanged || u[1].KeyChanged {
		t.Errorf("same-key card reported a key change: %+v", u)
	}
	conn.Close()
	a.shutdown()
}
