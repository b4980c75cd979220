package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type overlayStatusJSON struct {
	Listen  string `json:"listen"`
	Overlay struct {
		GUID   string `json:"guid"`
		Joined bool   `json:"joined"`
		Peers  int    `json:"peers"`
	} `json:"overlay"`
}

// spawnDaemon starts `tincan daemon` without waiting for it (see startDaemon).
func spawnDaemon(t *testing.T, home string, args ...string) *daemon {
	t.Helper()
	d := &daemon{home: home, log: &bytes.Buffer{}}
	d.cmd = exec.Command(bin, append([]string{"daemon", "--home", home, "--keystore", "file", "--listen", "127.0.0.1:0"}, args...)...)
	d.cmd.Stderr = d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.stop(t) })
	return d
}

func statusOf(t *testing.T, home string) overlayStatusJSON {
	t.Helper()
	return jsonOf[overlayStatusJSON](t, ok(t, "--home", home, "status", "--json"))
}

// TestThirtyDaemonsFindEachOtherThroughOneEntryPoint: 30 real daemons on
// loopback join through one entry point; 10 pairs of contacts chat with no
// address given; then the entry point stops and a restarted node rejoins
// through the peers it remembered.
func TestThirtyDaemonsFindEachOtherThroughOneEntryPoint(t *testing.T) {
	root := t.TempDir()
	entryHome := filepath.Join(root, "entry")
	entry := startDaemon(t, entryHome, "--name", "Entry")
	entryAddr := statusOf(t, entryHome).Listen

	const n = 29
	homes := make([]string, n)
	daemons := make([]*daemon, n)
	for i := range n {
		homes[i] = filepath.Join(root, fmt.Sprintf("n%02d", i))
		daemons[i] = spawnDaemon(t, homes[i], "--name", fmt.Sprintf("User%02d", i), "--bootstrap", entryAddr)
	}
	for i := range n {
		waitFor(t, homes[i]+" joins the overlay", func() bool {
			r := tincan(t, "--home", homes[i], "status", "--json")
			return r.code == 0 && strings.Contains(r.stdout, `"joined":true`)
		})
	}

	// Ten pairs add each other by card alone and chat both ways.
	cards := make([]string, n)
	for i := range n {
		cards[i] = strings.TrimSpace(ok(t, "--home", homes[i], "id"))
	}
	for p := range 10 {
		a, b := 2*p, 2*p+1
		ok(t, "--home", homes[a], "contacts", "add", "Peer", cards[b])
		ok(t, "--home", homes[b], "contacts", "add", "Peer", cards[a])
		ok(t, "--home", homes[a], "send", "Peer", fmt.Sprintf("hello from %d", a))
		ok(t, "--home", homes[b], "send", "Peer", fmt.Sprintf("hello from %d", b))
	}
	for p := range 10 {
		for _, i := range []int{2 * p, 2*p + 1} {
			waitFor(t, fmt.Sprintf("node %d's message delivered", i), func() bool {
				return strings.Contains(ok(t, "--home", homes[i], "history", "Peer", "--json"), `"state":"delivered"`)
			})
			hist := jsonOf[[]map[string]any](t, ok(t, "--home", homes[i], "history", "Peer", "--json"))
			if len(hist) != 2 {
				t.Fatalf("node %d history: %v", i, hist)
			}
		}
		cs := jsonOf[[]map[string]any](t, ok(t, "--home", homes[2*p], "contacts", "list", "--json"))
		if cs[0]["addr"] != "" || cs[0]["via"] == nil {
			t.Errorf("pair %d: contact should have no address and say how it was found: %v", p, cs[0])
		}
	}

	// The entry point goes away; node 25 restarts and rejoins through the
	// peers it remembered, then reaches a new contact.
	entry.stop(t)
	daemons[25].stop(t)
	restarted := spawnDaemon(t, homes[25], "--bootstrap", entryAddr)
	waitFor(t, "the restarted node rejoins without the entry point", func() bool {
		r := tincan(t, "--home", homes[25], "status", "--json")
		return r.code == 0 && strings.Contains(r.stdout, `"joined":true`)
	})
	if st := statusOf(t, homes[25]); st.Overlay.Peers == 0 {
		t.Fatalf("rejoined with an empty routing table; log:\n%s", restarted.log)
	}
	ok(t, "--home", homes[25], "contacts", "add", "Friend", cards[26])
	ok(t, "--home", homes[26], "contacts", "add", "Friend", cards[25])
	ok(t, "--home", homes[25], "send", "Friend", "back without the entry point")
	waitFor(t, "a message after rejoining is delivered", func() bool {
		return strings.Contains(ok(t, "--home", homes[25], "history", "Friend", "--json"), `"state":"delivered"`)
	})
}
