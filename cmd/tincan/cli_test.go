package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bin is the tincan binary built once for these tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tincan-cli")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "tincan")
	out, err := exec.Command("go", "build", "-tags", os.Getenv("TINCAN_TEST_TAGS"), "-o", bin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build tincan: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// tincan runs the binary with args and returns what it printed and its exit code.
func tincan(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	r := result{stdout: o.String(), stderr: e.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run tincan %v: %v", args, err)
	}
	return r
}

// ok runs tincan and fails the test unless it exits 0.
func ok(t *testing.T, args ...string) string {
	t.Helper()
	r := tincan(t, args...)
	if r.code != 0 {
		t.Fatalf("tincan %v: exit %d: %s", args, r.code, r.stderr)
	}
	return r.stdout
}

// daemon is a running `tincan daemon` process.
type daemon struct {
	home string
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

// startDaemon starts `tincan daemon` on loopback and waits until it answers.
func startDaemon(t *testing.T, home string, args ...string) *daemon {
	t.Helper()
	d := spawnDaemon(t, home, args...)
	waitFor(t, "daemon in "+home+" to answer", func() bool { return tincan(t, "--home", home, "id").code == 0 })
	return d
}

func (d *daemon) stop(t *testing.T) {
	if d.cmd.ProcessState != nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("daemon %s exited with %v after SIGTERM; log:\n%s", d.home, err, d.log)
		}
	case <-time.After(20 * time.Second):
		d.cmd.Process.Kill()
		<-done
		t.Errorf("daemon %s did not stop within 20s of SIGTERM", d.home)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func jsonOf[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

type statusJSON struct {
	Name     string           `json:"name"`
	Card     string           `json:"card"`
	Listen   string           `json:"listen"`
	Keystore string           `json:"keystore"`
	Outbox   int              `json:"outbox"`
	Contacts []map[string]any `json:"contacts"`
}

func TestCLIContractWithTwoDaemons(t *testing.T) {
	root := t.TempDir()
	homeA, homeB := filepath.Join(root, "ana"), filepath.Join(root, "ben")
	startDaemon(t, homeA, "--name", "Ana")
	b := startDaemon(t, homeB, "--name", "Ben")

	cardA := strings.TrimSpace(ok(t, "--home", homeA, "id"))
	cardB := strings.TrimSpace(ok(t, "--home", homeB, "id"))
	if !strings.HasPrefix(cardA, "tincan:1:") || cardA == cardB {
		t.Fatalf("cards: %q %q", cardA, cardB)
	}
	idJSON := jsonOf[map[string]string](t, ok(t, "--home", homeA, "id", "--json"))
	if idJSON["name"] != "Ana" || idJSON["card"] != cardA || len(idJSON["fingerprint"]) != 64 {
		t.Fatalf("id --json: %v", idJSON)
	}
	stA := jsonOf[statusJSON](t, ok(t, "--home", homeA, "status", "--json"))
	stB := jsonOf[statusJSON](t, ok(t, "--home", homeB, "status", "--json"))
	if stA.Keystore != "file" || !strings.HasPrefix(stA.Listen, "127.0.0.1:") {
		t.Fatalf("status --json: %+v", stA)
	}

	// Flags may follow positionals, as the contract writes them.
	if out := ok(t, "--home", homeA, "contacts", "add", "Ben", cardB, "--addr", stB.Listen); !strings.Contains(out, "added Ben") {
		t.Fatalf("contacts add said %q", out)
	}
	ok(t, "contacts", "add", "Ana", cardA, "--addr", stA.Listen, "--home", homeB)

	// Bad usage and bad input: exit 2 with one line on stderr.
	for _, args := range [][]string{
		{"contacts", "add", "X", "not-a-card"},
		{"contacts", "add", "X", cardA[:len(cardA)-5]},
		{"contacts", "add", "Me", cardA},
		{"contacts", "add", "Ben2", cardB},
		{"send", "Nobody", "hi"},
		{"send", "Ben"},
		{"send", "Ben", " "},
		{"history"},
		{"frobnicate"},
		{"status", "--bogus"},
		{"history", "Ben", "--limit", "x"},
	} {
		r := tincan(t, append([]string{"--home", homeA}, args...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "tincan: ") {
			t.Errorf("tincan %v: exit %d, stderr %q; want exit 2 and one line", args, r.code, r.stderr)
		}
	}

	sent := jsonOf[map[string]any](t, ok(t, "--home", homeA, "send", "Ben", "hello from Ana", "--json"))
	if sent["direction"] != "out" || sent["text"] != "hello from Ana" || len(sent["id"].(string)) != 32 {
		t.Fatalf("send --json: %v", sent)
	}
	ok(t, "--home", homeB, "send", "Ana", "hi Ana")
	delivered := func(home, peer string, n int) func() bool {
		return func() bool {
			hist := jsonOf[[]map[string]any](t, ok(t, "--home", home, "history", peer, "--json"))
			c := 0
			for _, m := range hist {
				if m["direction"] == "out" && m["state"] == "delivered" {
					c++
				}
			}
			return c == n
		}
	}
	waitFor(t, "Ana's message delivered", delivered(homeA, "Ben", 1))
	waitFor(t, "Ben's message delivered", delivered(homeB, "Ana", 1))
	histB := jsonOf[[]map[string]any](t, ok(t, "--home", homeB, "history", "Ana", "--json"))
	var in []string
	for _, m := range histB {
		for _, k := range []string{"id", "contact", "direction", "text", "sent_at", "at", "state"} {
			if _, ok := m[k]; !ok {
				t.Errorf("history --json element lacks %q: %v", k, m)
			}
		}
		if m["direction"] == "in" {
			in = append(in, m["text"].(string))
			if m["id"] != sent["id"] || m["state"] != "received" || m["contact"] != "Ana" {
				t.Errorf("Ben's copy of Ana's message: %v", m)
			}
		}
	}
	if len(in) != 1 || in[0] != "hello from Ana" {
		t.Fatalf("Ben received %v", in)
	}
	if out := ok(t, "--home", homeB, "history", "Ana"); !strings.Contains(out, "Ana: hello from Ana") || !strings.Contains(out, "me: hi Ana [delivered]") {
		t.Errorf("history (text) said:\n%s", out)
	}

	contacts := jsonOf[[]map[string]any](t, ok(t, "--home", homeA, "contacts", "list", "--json"))
	if len(contacts) != 1 {
		t.Fatalf("contacts: %v", contacts)
	}
	for _, k := range []string{"name", "fingerprint", "online", "path", "addr", "unread", "added_at"} {
		if _, ok := contacts[0][k]; !ok {
			t.Errorf("contacts list --json lacks %q: %v", k, contacts[0])
		}
	}
	if contacts[0]["online"] != true || contacts[0]["path"] != "direct" {
		t.Errorf("Ben should be online and direct: %v", contacts[0])
	}

	// Ben goes away; Ana's message waits, then arrives when he is back.
	b.stop(t)
	ok(t, "--home", homeA, "send", "Ben", "while you were away")
	waitFor(t, "Ana to see Ben offline", func() bool {
		cs := jsonOf[[]map[string]any](t, ok(t, "--home", homeA, "contacts", "list", "--json"))
		return cs[0]["online"] == false && cs[0]["path"] == "none"
	})
	if st := jsonOf[statusJSON](t, ok(t, "--home", homeA, "status", "--json")); st.Outbox != 1 {
		t.Errorf("outbox while Ben is away = %d, want 1", st.Outbox)
	}
	// Ben restarts on the same address Ana knows.
	b2 := &daemon{home: homeB, log: &bytes.Buffer{}}
	b2.cmd = exec.Command(bin, "daemon", "--home", homeB, "--keystore", "file", "--listen", stB.Listen)
	b2.cmd.Stderr = b2.log
	if err := b2.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b2.stop(t) })
	waitFor(t, "the waiting message delivered after Ben restarts", delivered(homeA, "Ben", 2))

	ok(t, "--home", homeA, "contacts", "remove", "Ben")
	if out := ok(t, "--home", homeA, "contacts", "list"); !strings.Contains(out, "no contacts yet") {
		t.Errorf("contacts list after remove: %q", out)
	}
	if r := tincan(t, "--home", homeA, "contacts", "remove", "Ben"); r.code != 2 {
		t.Errorf("removing a removed contact: exit %d", r.code)
	}
}

func TestCLIWithoutARunningNode(t *testing.T) {
	home := t.TempDir()
	r := tincan(t, "--home", home, "id")
	if r.code != 1 || !strings.Contains(r.stderr, "no tincan is running") {
		t.Fatalf("id with no node: exit %d, %q", r.code, r.stderr)
	}
	r = tincan(t, "daemon", "--home", home, "--keystore", "file")
	if r.code != 2 || !strings.Contains(r.stderr, "--name") {
		t.Fatalf("daemon without identity or --name: exit %d, %q", r.code, r.stderr)
	}
	r = tincan(t, "daemon", "--home", home, "--keystore", "vault")
	if r.code != 2 {
		t.Fatalf("bad --keystore: exit %d, %q", r.code, r.stderr)
	}
}

func TestDaemonRefusesAMissingKeychain(t *testing.T) {
	home := t.TempDir()
	cmd := exec.Command(bin, "daemon", "--home", home, "--name", "Ana", "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(home, "no-bus"))
	var e bytes.Buffer
	cmd.Stderr = &e
	err := cmd.Run()
	ee, isExit := err.(*exec.ExitError)
	if !isExit || ee.ExitCode() != 1 || !strings.Contains(e.String(), "--keystore file") {
		t.Fatalf("daemon with no keychain: %v, stderr %q; want exit 1 naming --keystore file", err, e.String())
	}
	if _, err := os.Stat(filepath.Join(home, "keystore")); !os.IsNotExist(err) {
		t.Fatal("a missing keychain fell back to a file keystore")
	}
}

func TestCLIRotate(t *testing.T) {
	root := t.TempDir()
	homeA, homeB, homeC := filepath.Join(root, "ana"), filepath.Join(root, "ben"), filepath.Join(root, "carl")
	startDaemon(t, homeA, "--name", "Ana")
	startDaemon(t, homeB, "--name", "Ben")
	startDaemon(t, homeC, "--name", "Carl")
	listen := func(home string) string {
		return jsonOf[statusJSON](t, ok(t, "--home", home, "status", "--json")).Listen
	}
	card := func(home string) string { return strings.TrimSpace(ok(t, "--home", home, "id")) }
	for _, other := range []struct{ home, name string }{{homeB, "Ben"}, {homeC, "Carl"}} {
		ok(t, "--home", homeA, "contacts", "add", other.name, card(other.home), "--addr", listen(other.home))
		ok(t, "--home", other.home, "contacts", "add", "Ana", card(homeA), "--addr", listen(homeA))
	}
	oldCard := card(homeA)

	// Bad input changes nothing.
	for _, args := range [][]string{
		{"rotate", "--keep", "Nobody"},
		{"rotate", "--keep", "Ben,Nobody", "--new-key"},
		{"rotate", "Ben"},
	} {
		r := tincan(t, append([]string{"--home", homeA}, args...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "tincan: ") {
			t.Errorf("tincan %v: exit %d, stderr %q; want exit 2 and one line", args, r.code, r.stderr)
		}
	}
	if card(homeA) != oldCard {
		t.Fatal("a refused rotate changed Ana's card")
	}

	res := jsonOf[map[string]any](t, ok(t, "--home", homeA, "rotate", "--keep", "Ben", "--new-key", "--json"))
	newCard, _ := res["card"].(string)
	if newCard == oldCard || newCard != card(homeA) || fmt.Sprint(res["kept"]) != "[Ben]" || fmt.Sprint(res["revoked"]) != "[Carl]" {
		t.Fatalf("rotate --json: %v", res)
	}
	newFP := jsonOf[map[string]string](t, ok(t, "--home", homeA, "id", "--json"))["fingerprint"]
	waitFor(t, "Ben to pin Ana's new key", func() bool {
		cs := jsonOf[[]map[string]any](t, ok(t, "--home", homeB, "contacts", "list", "--json"))
		return cs[0]["fingerprint"] == newFP && cs[0]["revoked"] == false
	})
	cs := jsonOf[[]map[string]any](t, ok(t, "--home", homeA, "contacts", "list", "--json"))
	if len(cs) != 2 || cs[0]["name"] != "Ben" || cs[0]["revoked"] != false || cs[1]["name"] != "Carl" || cs[1]["revoked"] != true {
		t.Fatalf("Ana's contacts after rotate: %v", cs)
	}
	if out := ok(t, "--home", homeA, "contacts", "list"); !strings.Contains(out, "revoked") {
		t.Errorf("contacts list does not show Carl revoked:\n%s", out)
	}
	if r := tincan(t, "--home", homeA, "send", "Carl", "hi"); r.code != 2 {
		t.Errorf("send to revoked Carl: exit %d, %q", r.code, r.stderr)
	}
	ok(t, "--home", homeB, "send", "Ana", "got it")
	waitFor(t, "Ben's message delivered to the new Ana", func() bool {
		hist := jsonOf[[]map[string]any](t, ok(t, "--home", homeB, "history", "Ana", "--json"))
		return len(hist) == 1 && hist[0]["state"] == "delivered"
	})

	// Without --keep every contact not revoked is kept; the human output is the card.
	out := strings.TrimSpace(ok(t, "--home", homeA, "rotate"))
	if out != card(homeA) || out == newCard || !strings.HasPrefix(out, "tincan:1:") {
		t.Fatalf("rotate printed %q; Ana's card is %q", out, card(homeA))
	}
	cs = jsonOf[[]map[string]any](t, ok(t, "--home", homeA, "contacts", "list", "--json"))
	if cs[0]["revoked"] != false || cs[1]["revoked"] != true {
		t.Fatalf("a rotation keeping everyone changed who is revoked: %v", cs)
	}
}
