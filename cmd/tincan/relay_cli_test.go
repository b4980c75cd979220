package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type relayStatusJSON struct {
	Relay *struct {
		Use      string `json:"use"`
		Serve    bool   `json:"serve"`
		Sessions uint64 `json:"sessions"`
	} `json:"relay"`
	Contacts []map[string]any `json:"contacts"`
}

// TestCLIRelays: the relay flags and commands of the contract, and a
// message that can only go through a relay, asked for and allowed from the
// command line.
func TestCLIRelays(t *testing.T) {
	root := t.TempDir()
	homeR, homeA, homeB := filepath.Join(root, "relay"), filepath.Join(root, "ana"), filepath.Join(root, "ben")
	startDaemon(t, homeR, "--name", "Relay", "--serve-relay", "--relay-sessions", "4", "--relay-rate", "512", "--no-overlay")
	relayAddr := jsonOf[statusJSON](t, ok(t, "--home", homeR, "status", "--json")).Listen
	startDaemon(t, homeA, "--name", "Ana", "--use-relays", "ask", "--relay", relayAddr, "--no-overlay")
	startDaemon(t, homeB, "--name", "Ben", "--use-relays", "always", "--relay", relayAddr, "--no-overlay")

	st := jsonOf[relayStatusJSON](t, ok(t, "--home", homeR, "status", "--json"))
	if st.Relay == nil || !st.Relay.Serve {
		t.Fatalf("relay node status: %+v", st.Relay)
	}
	st = jsonOf[relayStatusJSON](t, ok(t, "--home", homeA, "status", "--json"))
	if st.Relay == nil || st.Relay.Use != "ask" || st.Relay.Serve {
		t.Fatalf("Ana's relay status: %+v", st.Relay)
	}

	// Bad usage: exit 2 with one line.
	for _, args := range [][]string{
		{"relay"},
		{"relay", "use", "sometimes"},
		{"relay", "serve", "maybe"},
		{"relay", "allow", "Nobody"},
		{"relay", "frob", "x"},
		{"relay", "caps", "0", "100"},
		{"relay", "caps", "4", "fast"},
		{"relay", "caps", "x", "100"},
	} {
		r := tincan(t, append([]string{"--home", homeA}, args...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "tincan: ") {
			t.Errorf("tincan %v: exit %d, stderr %q; want exit 2 and one line", args, r.code, r.stderr)
		}
	}
	for _, args := range [][]string{
		{"--use-relays", "sometimes"},
		{"--relay", "not-an-address"},
		{"--relay-sessions", "0"},
		{"--serve-relay", "--no-serve-relay"},
		{"--stun", "stun.example.org"},
	} {
		cmd := exec.Command(bin, append([]string{"daemon", "--home", filepath.Join(root, "bad"), "--keystore", "file", "--name", "X"}, args...)...)
		out, err := cmd.CombinedOutput()
		if ee, isExit := err.(*exec.ExitError); !isExit || ee.ExitCode() != 2 {
			t.Errorf("daemon %v: %v, %q; want exit 2", args, err, out)
		}
	}

	// Ana and Ben cannot reach each other (no address, no overlay): with
	// the policy "ask", Ana's message waits for her answer.
	cardA := strings.TrimSpace(ok(t, "--home", homeA, "id"))
	cardB := strings.TrimSpace(ok(t, "--home", homeB, "id"))
	ok(t, "--home", homeA, "contacts", "add", "Ben", cardB, "--addr", "127.0.0.1:9")
	ok(t, "--home", homeB, "contacts", "add", "Ana", cardA, "--addr", "127.0.0.1:9")
	ok(t, "--home", homeB, "send", "Ana", "hi Ana")
	ok(t, "--home", homeA, "send", "Ben", "hello through a relay")
	contact := func(home string) map[string]any {
		cs := jsonOf[[]map[string]any](t, ok(t, "--home", home, "contacts", "list", "--json"))
		return cs[0]
	}
	waitFor(t, "Ana to be asked about a relay", func() bool { return contact(homeA)["relay_consent"] == "asked" })
	if c := contact(homeA); c["online"] != false {
		t.Fatalf("online before consent: %v", c)
	}
	ok(t, "--home", homeA, "relay", "allow", "Ben")
	waitFor(t, "Ana to reach Ben through the relay", func() bool {
		c := contact(homeA)
		return c["path"] == "relay" && c["relay"] == relayAddr && c["relay_consent"] == "allowed"
	})
	waitFor(t, "both messages delivered", func() bool {
		for _, hp := range [][2]string{{homeA, "Ben"}, {homeB, "Ana"}} {
			hist := jsonOf[[]map[string]any](t, ok(t, "--home", hp[0], "history", hp[1], "--json"))
			got := 0
			for _, m := range hist {
				if m["direction"] == "out" && m["state"] == "delivered" {
					got++
				}
			}
			if got != 1 {
				return false
			}
		}
		return true
	})

	ok(t, "--home", homeA, "relay", "use", "never")
	ok(t, "--home", homeR, "relay", "serve", "off")
	if st := jsonOf[relayStatusJSON](t, ok(t, "--home", homeA, "status", "--json")); st.Relay.Use != "never" {
		t.Errorf("after relay use never: %+v", st.Relay)
	}
	if st := jsonOf[relayStatusJSON](t, ok(t, "--home", homeR, "status", "--json")); st.Relay.Serve || st.Relay.Sessions == 0 {
		t.Errorf("relay after serve off: %+v (want off, with the session counted)", st.Relay)
	}
	ok(t, "--home", homeR, "relay", "caps", "8", "1024")
	var caps map[string]any
	if err := json.Unmarshal(jsonOf[map[string]json.RawMessage](t, ok(t, "--home", homeR, "status", "--json"))["relay"], &caps); err != nil {
		t.Fatal(err)
	}
	if caps["max_sessions"] != float64(8) || caps["rate_kib"] != float64(1024) {
		t.Errorf("relay caps in status: %v", caps)
	}
	ok(t, "--home", homeA, "relay", "deny", "Ben")
	if c := contact(homeA); c["relay_consent"] != "denied" {
		t.Errorf("after deny: %v", c)
	}
}
