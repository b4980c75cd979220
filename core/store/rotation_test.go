package store

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
)

func TestNewContactsAreNotRevoked(t *testing.T) {
	s, _ := openTemp(t)
	c := addContact(t, s, "ben")
	if c.Revoked {
		t.Fatal("AddContact returned a revoked contact")
	}
	got, err := s.ContactByID(context.Background(), c.ID)
	if err != nil || got.Revoked {
		t.Fatalf("stored contact: %+v, %v", got, err)
	}
	if !tableExists(t, s.db, "card_updates") || !tableExists(t, s.db, "rotation") {
		t.Fatal("migration 2 tables missing")
	}
}

func TestUpdateContactCard(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	ben := addContact(t, s, "ben")
	carl := addContact(t, s, "carl")
	next := newContact("ignored")
	next.Card = "new card of ben"

	if _, err := s.UpdateContactCard(ctx, ben.ID, carl.Fingerprint, next); !errors.Is(err, ErrStale) {
		t.Errorf("update with the wrong old key: %v, want ErrStale", err)
	}
	if _, err := s.UpdateContactCard(ctx, 999, ben.Fingerprint, next); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of an unknown contact: %v, want ErrNotFound", err)
	}
	taken := next
	taken.PublicKey, taken.Fingerprint = carl.PublicKey, carl.Fingerprint
	if _, err := s.UpdateContactCard(ctx, ben.ID, ben.Fingerprint, taken); !errors.Is(err, ErrDuplicateKey) {
		t.Errorf("update to another contact's key: %v, want ErrDuplicateKey", err)
	}
	bad := next
	bad.Fingerprint = carl.Fingerprint
	if _, err := s.UpdateContactCard(ctx, ben.ID, ben.Fingerprint, bad); err == nil {
		t.Error("update with a fingerprint that is not the key's was accepted")
	}

	got, err := s.UpdateContactCard(ctx, ben.ID, ben.Fingerprint, next)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.ContactByID(ctx, ben.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Contact{got, stored} {
		if c.Name != "ben" || c.Card != next.Card || !bytes.Equal(c.PublicKey, next.PublicKey) ||
			!bytes.Equal(c.Fingerprint, next.Fingerprint) || !bytes.Equal(c.SecretID, next.SecretID) {
			t.Errorf("after update: %+v", c)
		}
	}
	if _, err := s.ContactByFingerprint(ctx, ben.Fingerprint); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old key still finds ben: %v", err)
	}
}

func TestRotationJournalAndCardUpdates(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	ben, carl, dan := addContact(t, s, "ben"), addContact(t, s, "carl"), addContact(t, s, "dan")
	oldFP := bytes.Repeat([]byte{1}, 32)

	if _, err := s.FinishRotation(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("finish with nothing journaled: %v", err)
	}
	if err := s.BeginRotation(ctx, Rotation{Card: "c", PinnedFP: oldFP, Keep: []int64{999}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("journal naming an unknown contact: %v", err)
	}
	if err := s.BeginRotation(ctx, Rotation{Card: "c", PinnedFP: oldFP, Keep: []int64{ben.ID}, Revoke: []int64{ben.ID}}); err == nil {
		t.Error("a contact both kept and revoked was accepted")
	}
	if err := s.BeginRotation(ctx, Rotation{PinnedFP: oldFP}); err == nil {
		t.Error("a rotation without a card was accepted")
	}

	r1 := Rotation{Card: "card one", PinnedFP: oldFP, Keep: []int64{ben.ID, dan.ID}, Revoke: []int64{carl.ID}}
	if err := s.BeginRotation(ctx, r1); err != nil {
		t.Fatal(err)
	}
	// The journal survives a restart, and nothing is applied before Finish.
	s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.PendingRotation(ctx)
	if err != nil || got.Card != r1.Card || !bytes.Equal(got.PinnedFP, oldFP) ||
		!slices.Equal(got.Keep, r1.Keep) || !slices.Equal(got.Revoke, r1.Revoke) {
		t.Fatalf("pending rotation: %+v, %v", got, err)
	}
	if ids, _ := s.CardUpdateContacts(ctx); len(ids) != 0 {
		t.Fatalf("card updates before finish: %v", ids)
	}
	if _, err := s.FinishRotation(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PendingRotation(ctx); !errors.Is(err, ErrNotFound) {
		t.Errorf("journal left after finish: %v", err)
	}
	if c, _ := s.ContactByID(ctx, carl.ID); !c.Revoked {
		t.Error("carl is not revoked")
	}
	if c, _ := s.ContactByID(ctx, ben.ID); c.Revoked {
		t.Error("ben was revoked")
	}
	if ids, _ := s.CardUpdateContacts(ctx); !slices.Equal(ids, []int64{ben.ID, dan.ID}) {
		t.Fatalf("card update contacts %v, want ben and dan", ids)
	}
	enqueue(t, s, carl, "queued for carl")
	enqueue(t, s, ben, "queued for ben")
	if ids, err := s.PendingContacts(ctx); err != nil || !slices.Equal(ids, []int64{ben.ID, carl.ID, dan.ID}) {
		t.Fatalf("pending contacts %v, %v; want ben, carl and dan once each", ids, err)
	}
	u1, err := s.CardUpdate(ctx, ben.ID)
	if err != nil || u1.Card != "card one" || !bytes.Equal(u1.PinnedFP, oldFP) || u1.ID == (MessageID{}) || u1.At.IsZero() {
		t.Fatalf("ben's card update: %+v, %v", u1, err)
	}
	if _, err := s.CardUpdate(ctx, carl.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoked carl has a card update: %v", err)
	}

	// A second rotation before ben acks: the newer card replaces the first
	// but ben still pins the oldest key. Dan is dropped now.
	midFP := bytes.Repeat([]byte{2}, 32)
	if err := s.BeginRotation(ctx, Rotation{Card: "card two", PinnedFP: midFP, Keep: []int64{ben.ID}, Revoke: []int64{dan.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishRotation(ctx); err != nil {
		t.Fatal(err)
	}
	u2, err := s.CardUpdate(ctx, ben.ID)
	if err != nil || u2.Card != "card two" || u2.ID == u1.ID || !bytes.Equal(u2.PinnedFP, oldFP) {
		t.Fatalf("ben's update after a second rotation: %+v, %v", u2, err)
	}
	if _, err := s.CardUpdate(ctx, dan.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("dan, revoked now, kept his waiting update: %v", err)
	}
	fps, err := s.PinnedFingerprints(ctx)
	if err != nil || len(fps) != 1 || !bytes.Equal(fps[0], oldFP) {
		t.Fatalf("pinned fingerprints %x, %v", fps, err)
	}

	// Ben acks the first card (sent before the second existed): he now pins
	// its key, and the second card still waits.
	cardOneFP := bytes.Repeat([]byte{3}, 32)
	var delivered bool
	err = s.Batch(ctx, func(b *Batch) (err error) {
		delivered, err = b.CardDelivered(ben.ID, u1.ID, cardOneFP)
		return err
	})
	if err != nil || delivered {
		t.Fatalf("ack of the replaced card: delivered=%v, %v", delivered, err)
	}
	if u, _ := s.CardUpdate(ctx, ben.ID); u.ID != u2.ID || !bytes.Equal(u.PinnedFP, cardOneFP) {
		t.Fatalf("after the old ack: %+v", u)
	}
	err = s.Batch(ctx, func(b *Batch) (err error) {
		delivered, err = b.CardDelivered(ben.ID, u2.ID, bytes.Repeat([]byte{4}, 32))
		return err
	})
	if err != nil || !delivered {
		t.Fatalf("ack of the waiting card: delivered=%v, %v", delivered, err)
	}
	if ids, _ := s.CardUpdateContacts(ctx); len(ids) != 0 {
		t.Errorf("card updates left after the ack: %v", ids)
	}
	if fps, _ := s.PinnedFingerprints(ctx); len(fps) != 0 {
		t.Errorf("pinned fingerprints left: %x", fps)
	}
}

func TestRotationAbortAndRemovedContacts(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	ben, carl := addContact(t, s, "ben"), addContact(t, s, "carl")
	fp := bytes.Repeat([]byte{9}, 32)
	if err := s.BeginRotation(ctx, Rotation{Card: "c", PinnedFP: fp, Keep: []int64{ben.ID}, Revoke: []int64{carl.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AbortRotation(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishRotation(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("finish after abort: %v", err)
	}
	if c, _ := s.ContactByID(ctx, carl.ID); c.Revoked {
		t.Error("an aborted rotation revoked carl")
	}

	// A contact removed between journal and finish is skipped; removing a
	// contact drops its waiting update.
	if err := s.BeginRotation(ctx, Rotation{Card: "c", PinnedFP: fp, Keep: []int64{ben.ID, carl.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveContact(ctx, "carl"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishRotation(ctx); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.CardUpdateContacts(ctx); !slices.Equal(ids, []int64{ben.ID}) {
		t.Fatalf("card updates %v, want ben's only", ids)
	}
	if err := s.RemoveContact(ctx, "ben"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.CardUpdateContacts(ctx); len(ids) != 0 {
		t.Errorf("card update outlived its contact: %v", ids)
	}
}

// A database from before rotation keeps its contacts, none revoked.
func TestMigrateFromVersionOneKeepsContacts(t *testing.T) {
	path := t.TempDir() + "/tincan.db"
	saved := migrations
	migrations = saved[:1]
	s, err := Open(path)
	migrations = saved
	if err != nil {
		t.Fatal(err)
	}
	c := newContact("ben")
	if _, err := s.db.Exec(`INSERT INTO contacts (name, card, public_key, fingerprint, secret_id, addr, added_at)
		VALUES (?, ?, ?, ?, ?, '', 1)`, c.Name, c.Card, c.PublicKey, c.Fingerprint, c.SecretID); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.ContactByName(context.Background(), "ben")
	if err != nil || got.Revoked || !bytes.Equal(got.Fingerprint, c.Fingerprint) {
		t.Fatalf("ben after migration: %+v, %v", got, err)
	}
}
