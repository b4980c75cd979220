package node

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"tincan/core/discovery"
	"tincan/core/discovery/cftest"
	"tincan/core/identity"
)

func openWith(t *testing.T, name, listen string, ov OverlayOptions) *Node {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
	if err := Create(home, ks, name); err != nil {
		t.Fatal(err)
	}
	n, err := Open(Options{Home: home, Keystore: ks, Listen: listen, Overlay: ov,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// TestEntryPointPublishesItselfAndNewcomersJoinByName: a node with
// Cloudflare credentials, once another node has dialed it (the dial-back
// proof), publishes its address under the entry name; a node given nothing
// but the entry name then joins through it.
func TestEntryPointPublishesItselfAndNewcomersJoinByName(t *testing.T) {
	const token = "test-token-0123456789abcdef0123456789abcdef"
	cf := cftest.NewServer(token, "tincan.example")
	defer cf.Close()
	dns, err := cftest.NewDNS(cf)
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	t.Setenv(discovery.TokenEnv, token)

	const name = "entry.tincan.example"
	port := freePort(t, "127.0.0.1")
	entry := openWith(t, "Entry", netip.AddrPortFrom(loopback, port).String(), OverlayOptions{EntryName: name, EntryPort: port,
		Entry: EntryOptions{Zone: "tincan.example", APIBase: cf.URL(), Interval: 300 * time.Millisecond, Allow: allowLoopback}})

	// Before anyone dialed it, the entry node has proven nothing: no record.
	waitChecks(t, entry, 3)
	if rs := cf.Records(name); len(rs) != 0 {
		t.Fatalf("published before a dial-back proved it reachable: %v", rs)
	}
	// A second node joins through it by address: that inbound link is the proof.
	openWith(t, "Helper", "127.0.0.1:0", OverlayOptions{Bootstrap: []string{entry.ListenAddr()}})
	waitUntil(t, "the entry node publishes its record and says so", func() bool {
		st, _ := entry.Status(context.Background())
		return len(cf.Records(name)) == 1 && st.Overlay.EntryRole == "entry"
	})
	if c := cf.Records(name)[0].Comment; c != "tincan entry point key="+entry.ov.guid().String() {
		t.Fatalf("the record's comment %q does not name the entry node's key", c)
	}
	// A newcomer knows nothing but the entry name (and which DNS server to ask).
	newcomer := openWith(t, "Newcomer", "127.0.0.1:0", OverlayOptions{EntryName: name, EntryPort: port, DNS: dns.Addr()})
	waitUntil(t, "the newcomer joins by name", func() bool { return joined(newcomer) })
	// The token given once in the environment now lives in the keystore.
	account, _ := discovery.TokenAccount(entry.Home())
	if got, err := entry.ks.Get(account); err != nil || string(got) != token {
		t.Fatalf("token in the keystore: %q, %v", got, err)
	}
}
