package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tincan/core/identity"
)

const testPassphrase = "a long test passphrase"

// tincanWith runs the binary with extra environment variables.
func tincanWith(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	r := result{stdout: o.String(), stderr: e.String()}
	if ee, isExit := err.(*exec.ExitError); isExit {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run tincan %v: %v", args, err)
	}
	return r
}

// emptyOrAbsent fails unless dir does not exist or holds nothing.
func emptyOrAbsent(t *testing.T, dir, why string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("%s left %d entries in %s (first %s)", why, len(entries), dir, entries[0].Name())
	}
}

// TestExportImportMovesAHome: Ana (file keystore) chats with Ben, backs up
// her home while her daemon runs, and restores it into a new home whose
// key goes to the OS keychain; the restored node has her card, contacts and
// history, and Ben still accepts it as Ana.
func TestExportImportMovesAHome(t *testing.T) {
	root := t.TempDir()
	homeA, homeB := filepath.Join(root, "ana"), filepath.Join(root, "ben")
	a := startDaemon(t, homeA, "--name", "Ana", "--no-overlay")
	startDaemon(t, homeB, "--name", "Ben", "--no-overlay")
	cardA := strings.TrimSpace(ok(t, "--home", homeA, "id"))
	cardB := strings.TrimSpace(ok(t, "--home", homeB, "id"))
	stA, stB := jsonOf[statusJSON](t, ok(t, "--home", homeA, "status", "--json")), jsonOf[statusJSON](t, ok(t, "--home", homeB, "status", "--json"))
	ok(t, "--home", homeA, "contacts", "add", "Ben", cardB, "--addr", stB.Listen)
	ok(t, "--home", homeB, "contacts", "add", "Ana", cardA, "--addr", stA.Listen)
	for _, text := range []string{"one", "two", "three"} {
		ok(t, "--home", homeA, "send", "Ben", text)
	}
	ok(t, "--home", homeB, "send", "Ana", "reply from Ben")
	waitFor(t, "all four messages delivered", func() bool {
		hist := jsonOf[[]map[string]any](t, ok(t, "--home", homeA, "history", "Ben", "--json"))
		n := 0
		for _, m := range hist {
			if m["state"] == "delivered" || m["direction"] == "in" {
				n++
			}
		}
		return n == 4
	})

	// Export while Ana's daemon runs.
	file := filepath.Join(root, "ana.backup")
	env := []string{PassphraseEnv + "=" + testPassphrase}
	if r := tincanWith(t, env, "--home", homeA, "--keystore", "file", "export", file); r.code != 0 || !strings.Contains(r.stdout, "Backed up") {
		t.Fatalf("export: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	wantID := ok(t, "--home", homeA, "id", "--json")
	wantContacts := contactsOf(t, homeA)
	wantHistory := historyOf(t, homeA, "Ben")
	a.stop(t)

	target := filepath.Join(root, "restored")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	flipped := filepath.Join(root, "flipped.backup")
	raw[len(raw)/2] ^= 0x10
	if err := os.WriteFile(flipped, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, file, pass string
	}{{"a wrong passphrase", file, "not the passphrase"}, {"a flipped byte", flipped, testPassphrase}} {
		r := tincanWith(t, []string{PassphraseEnv + "=" + c.pass}, "--home", target, "--keystore", "keychain", "import", c.file)
		if r.code == 0 || !strings.Contains(r.stderr, "wrong passphrase or damaged backup") {
			t.Errorf("import with %s: exit %d, stderr %q; want the plain error", c.name, r.code, r.stderr)
		}
		emptyOrAbsent(t, target, "an import with "+c.name)
	}
	if r := tincanWith(t, nil, "--home", target, "import", file); r.code != 2 || !strings.Contains(r.stderr, PassphraseEnv) {
		t.Errorf("import with no passphrase and no terminal: exit %d, stderr %q; want exit 2 naming %s", r.code, r.stderr, PassphraseEnv)
	}

	// Restore into the keychain.
	r := tincanWith(t, env, "--home", target, "--keystore", "keychain", "import", file)
	if r.code != 0 || !strings.Contains(r.stdout, "Restored Ana") {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	hid, err := identity.HomeID(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = identity.NewKeychain().Delete(identity.AccountOf(hid)) })
	if r := tincanWith(t, env, "--home", target, "--keystore", "keychain", "import", file); r.code != 2 || !strings.Contains(r.stderr, "already has an identity") {
		t.Errorf("a second import over the restored home: exit %d, stderr %q", r.code, r.stderr)
	}

	spawnDaemon(t, target, "--keystore", "keychain", "--no-overlay")
	waitFor(t, "the restored daemon to answer", func() bool { return tincan(t, "--home", target, "id").code == 0 })
	if got := ok(t, "--home", target, "id", "--json"); got != wantID {
		t.Errorf("restored identity card:\n%s\nwant\n%s", got, wantID)
	}
	if got := contactsOf(t, target); got != wantContacts {
		t.Errorf("restored contacts: %s, want %s", got, wantContacts)
	}
	if got := historyOf(t, target, "Ben"); got != wantHistory {
		t.Errorf("restored history:\n%s\nwant\n%s", got, wantHistory)
	}
	if st := jsonOf[statusJSON](t, ok(t, "--home", target, "status", "--json")); st.Keystore != "keychain" {
		t.Errorf("the restored node uses the %q keystore, want keychain", st.Keystore)
	}
	// Ben, who pins Ana's key, takes a message from the restored node.
	ok(t, "--home", target, "send", "Ben", "from the new computer")
	waitFor(t, "Ben to receive the restored Ana's message", func() bool {
		return strings.Contains(historyOf(t, homeB, "Ana"), "from the new computer")
	})
}

// contactsOf lists a home's contacts as name=fingerprint lines.
func contactsOf(t *testing.T, home string) string {
	t.Helper()
	var lines []string
	for _, c := range jsonOf[[]map[string]any](t, ok(t, "--home", home, "contacts", "list", "--json")) {
		lines = append(lines, c["name"].(string)+"="+c["fingerprint"].(string))
	}
	return strings.Join(lines, "\n")
}

// historyOf lists a conversation, in order, as id direction state text.
func historyOf(t *testing.T, home, peer string) string {
	t.Helper()
	var lines []string
	for _, m := range jsonOf[[]map[string]any](t, ok(t, "--home", home, "history", peer, "--json")) {
		lines = append(lines, strings.Join([]string{m["id"].(string), m["direction"].(string), m["state"].(string), m["text"].(string)}, " "))
	}
	return strings.Join(lines, "\n")
}

// TestUpgradedHomeRunsInTheDaemon starts today's daemon on the home made by
// the earliest schema (core/store/testdata/upgrade-v1, made at another
// path): it opens, migrates, and shows the same card, contacts and history.
func TestUpgradedHomeRunsInTheDaemon(t *testing.T) {
	src := filepath.Join("..", "..", "core", "store", "testdata", "upgrade-v1")
	home := filepath.Join(t.TempDir(), "home")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(home, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(home, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	d := spawnDaemon(t, home, "--no-overlay")
	waitFor(t, "the upgraded daemon to answer", func() bool {
		if d.cmd.ProcessState != nil {
			t.Fatalf("the daemon exited on the upgraded home:\n%s", d.log)
		}
		return tincan(t, "--home", home, "id").code == 0
	})
	if id := jsonOf[map[string]string](t, ok(t, "--home", home, "id", "--json")); id["name"] != "Ana Upgrade" {
		t.Errorf("upgraded identity: %v", id)
	}
	if got := contactsOf(t, home); !strings.HasPrefix(got, "Ben=") || !strings.Contains(got, "\nCleo=") {
		t.Errorf("upgraded contacts: %q, want Ben and Cleo", got)
	}
	var texts []string
	for _, line := range strings.Split(historyOf(t, home, "Ben"), "\n") {
		f := strings.SplitN(line, " ", 4)
		texts = append(texts, f[1]+" "+f[2]+" "+f[3])
	}
	want := []string{
		"out delivered Hello Ben, this is Ana.",
		"in received Hi Ana! 👋",
		"out delivered Dinner at 8? Ça va?",
		"in received Yes — see you then.",
		"out queued Still queued: written while Ben was away",
	}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Errorf("upgraded history with Ben:\n%s\nwant\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
}
