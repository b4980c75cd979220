package store

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tincan/core/identity"
)

// upgradeFixture is a home made by the earliest core/store (schema 1); see
// its README for how it was made.
const upgradeFixture = "testdata/upgrade-v1"

// copyHome copies a fixture home to a temporary directory, owner-only (git
// does not keep the modes the file keystore insists on).
func copyHome(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "home")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		if strings.HasSuffix(p, ".md") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
	if err != nil {
		t.Fatalf("copy the fixture: %v", err)
	}
	return dst
}

type wantMsg struct {
	dir   Direction
	state State
	text  string
	read  bool
}

// TestUpgradeFromSchema1 opens a database written by the first schema with
// today's code: every migration runs and no contact, message, outbox entry
// or setting is lost or reordered.
func TestUpgradeFromSchema1(t *testing.T) {
	home := copyHome(t, upgradeFixture)
	ctx := context.Background()
	if v := fileUserVersion(t, filepath.Join(home, "tincan.db")); v != 1 {
		t.Fatalf("the fixture's database is at schema %d, want 1 (it is the point of the test)", v)
	}
	s, err := Open(filepath.Join(home, "tincan.db"))
	if err != nil {
		t.Fatalf("today's store does not open the schema-1 database: %v", err)
	}
	defer s.Close()
	if v := userVersion(t, s.db); v != len(migrations) {
		t.Errorf("after opening, schema %d, want %d", v, len(migrations))
	}

	cs, err := s.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Name != "Ben" || cs[1].Name != "Cleo" {
		t.Fatalf("contacts after the upgrade: %+v, want Ben and Cleo", cs)
	}
	if cs[0].Addr != "127.0.0.1:9" || cs[0].Revoked || len(cs[0].Fingerprint) != 32 || len(cs[0].SecretID) != 16 ||
		!strings.HasPrefix(cs[0].Card, "tincan:1:") || cs[0].AddedAt.IsZero() {
		t.Errorf("Ben after the upgrade: %+v", cs[0])
	}
	want := map[string][]wantMsg{
		"Ben": {
			{Outgoing, Delivered, "Hello Ben, this is Ana.", false},
			{Incoming, Received, "Hi Ana! 👋", true},
			{Outgoing, Delivered, "Dinner at 8? Ça va?", false},
			{Incoming, Received, "Yes — see you then.", false},
			{Outgoing, Queued, "Still queued: written while Ben was away", false},
		},
		"Cleo": {
			{Incoming, Received, "Cleo here.", false},
			{Outgoing, Delivered, "Welcome, Cleo", false},
		},
	}
	idByte := map[string]byte{"Ben": 1, "Cleo": 6}
	for _, c := range cs {
		hist, err := s.History(ctx, c.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		w := want[c.Name]
		if len(hist) != len(w) {
			t.Fatalf("%s's history has %d messages after the upgrade, want %d", c.Name, len(hist), len(w))
		}
		for i, m := range hist {
			if m.Direction != w[i].dir || m.State != w[i].state || m.Body != w[i].text || m.Kind != KindChat ||
				(m.Direction == Incoming && m.Read != w[i].read) {
				t.Errorf("%s's message %d after the upgrade: %+v, want %+v", c.Name, i, m, w[i])
			}
			if m.ID[0] != idByte[c.Name]+byte(i) || m.SentAt.IsZero() {
				t.Errorf("%s's message %d has ID %x and sent time %v: not the one written", c.Name, i, m.ID, m.SentAt)
			}
			if i > 0 && m.Seq <= hist[i-1].Seq {
				t.Errorf("%s's history is out of order at %d", c.Name, i)
			}
		}
	}
	if n, err := s.Unread(ctx, cs[0].ID); err != nil || n != 1 {
		t.Errorf("Ben's unread count after the upgrade: %d, %v; want 1", n, err)
	}
	ob, err := s.Outbox(ctx, cs[0].ID)
	if err != nil || len(ob) != 1 || ob[0].Body != "Still queued: written while Ben was away" {
		t.Errorf("Ben's outbox after the upgrade: %+v, %v; want the one queued message", ob, err)
	}
	for k, v := range map[string]string{"fixture.made_by": "core/store at 7fbc3e0 (schema 1)", "audio.capture": "fixture microphone"} {
		if got, err := s.Setting(ctx, k); err != nil || got != v {
			t.Errorf("setting %s after the upgrade: %q, %v; want %q", k, got, err, v)
		}
	}

	// The identity beside it opens with the file keystore it was made with.
	id, err := identity.Load(home, identity.NewFileKeystore(filepath.Join(home, "keystore")))
	if err != nil || id.Name != "Ana Upgrade" {
		t.Errorf("the fixture's identity: %v, %v", id, err)
	}
}

// fileUserVersion reads PRAGMA user_version of a database file without
// opening (and so migrating) it.
func fileUserVersion(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 64 {
		t.Fatalf("read %s: %v", path, err)
	}
	// The SQLite header keeps user_version big-endian at offset 60.
	return int(b[60])<<24 | int(b[61])<<16 | int(b[62])<<8 | int(b[63])
}
