package node

import (
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"

	"tincan/core/identity"
)

// TestFailedStartLeavesNothingOpen: a start that fails late (here: a bad
// audio device flag, after the store, the listener, the relay server, the
// control socket and the NAT part are up) closes everything it opened, so
// the same home and port open again at once.
func TestFailedStartLeavesNothingOpen(t *testing.T) {
	home := filepath.Join(t.TempDir(), "ana")
	ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
	if err := Create(home, ks, "Ana"); err != nil {
		t.Fatal(err)
	}
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	opts := Options{Home: home, Keystore: ks, Listen: addr, Control: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Audio: AudioOptions{Spec: "bogus"}}
	if _, err := Open(opts); err == nil || !IsBadInput(err) {
		t.Fatalf("open with --audio bogus: %v, want a bad-input error", err)
	}
	opts.Audio.Spec = "null"
	n, err := Open(opts)
	if err != nil {
		t.Fatalf("the home or port stayed taken after a failed start: %v", err)
	}
	if n.ListenAddr() != addr {
		t.Fatalf("listening on %s, want %s", n.ListenAddr(), addr)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
}
