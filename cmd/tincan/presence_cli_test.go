package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// onlineIn reports whether home's only contact shows online in `contacts list --json`.
func onlineIn(t *testing.T, home string) bool {
	t.Helper()
	cs := jsonOf[[]map[string]any](t, ok(t, "--home", home, "contacts", "list", "--json"))
	return len(cs) == 1 && cs[0]["online"] == true
}

// TestCLIPresenceAfterRestart: two daemons on loopback without the overlay
// know each other; Ben stops and restarts on the same address with nothing
// queued on either side, and both show each other online again within a
// few seconds of Ben answering, in `contacts list --json`.
func TestCLIPresenceAfterRestart(t *testing.T) {
	root := t.TempDir()
	homeA, homeB := filepath.Join(root, "ana"), filepath.Join(root, "ben")
	quiet := []string{"--no-overlay", "--no-lan", "--no-portmap"}
	startDaemon(t, homeA, append([]string{"--name", "Ana"}, quiet...)...)
	b := startDaemon(t, homeB, append([]string{"--name", "Ben"}, quiet...)...)
	stA := jsonOf[statusJSON](t, ok(t, "--home", homeA, "status", "--json"))
	stB := jsonOf[statusJSON](t, ok(t, "--home", homeB, "status", "--json"))
	ok(t, "--home", homeA, "contacts", "add", "Ben", stB.Card, "--addr", stB.Listen)
	ok(t, "--home", homeB, "contacts", "add", "Ana", stA.Card, "--addr", stA.Listen)
	waitFor(t, "Ana to see Ben online with nothing sent", func() bool { return onlineIn(t, homeA) })
	waitFor(t, "Ben to see Ana online with nothing sent", func() bool { return onlineIn(t, homeB) })

	b.stop(t)
	waitFor(t, "Ana to see Ben offline", func() bool { return !onlineIn(t, homeA) })
	b2 := &daemon{home: homeB, log: &bytes.Buffer{}}
	b2.cmd = exec.Command(bin, append([]string{"daemon", "--home", homeB, "--keystore", "file", "--listen", stB.Listen}, quiet...)...)
	b2.cmd.Stderr = b2.log
	if err := b2.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b2.stop(t) })
	waitFor(t, "Ben to answer again", func() bool { return tincan(t, "--home", homeB, "id").code == 0 })
	back := time.Now()
	const deadline = 5 * time.Second // a CLI call per poll: the chat tests hold the 2 s bound
	for !onlineIn(t, homeA) || !onlineIn(t, homeB) {
		if time.Since(back) > deadline {
			t.Fatalf("Ana online at Ben: %v, Ben online at Ana: %v, %v after Ben answered again",
				onlineIn(t, homeA), onlineIn(t, homeB), deadline)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("both online %v after Ben answered again", time.Since(back).Round(time.Millisecond))
}
