package identity

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// keychainPackages are the Debian packages that provide a headless Secret Service.
const keychainPackages = "gnome-keyring dbus-daemon dbus-bin"

// TestKeychain runs against a real Secret Service. Without a session bus it
// re-runs itself inside dbus-run-session with a fresh, unlocked gnome-keyring.
func TestKeychain(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		runInSecretService(t)
		return
	}
	ks := NewKeychain()
	if ks.Kind() != "keychain" {
		t.Errorf("Kind = %q, want keychain", ks.Kind())
	}
	t.Run("SetGetDelete", func(t *testing.T) {
		acct := uniqueAccount(t)
		secret := []byte{0, 0xff, 'a', '\n', 0, 0x80} // binary, not valid UTF-8
		if err := ks.Set(acct, secret); err != nil {
			t.Fatalf("Set: %v", err)
		}
		got, err := ks.Get(acct)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("Get = %x, %v; want %x", got, err, secret)
		}
		if err := ks.Set(acct, []byte("second")); err != nil {
			t.Fatalf("Set again: %v", err)
		}
		if got, err := ks.Get(acct); err != nil || string(got) != "second" {
			t.Errorf("Get after replace = %q, %v", got, err)
		}
		if err := ks.Delete(acct); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := ks.Get(acct); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get after Delete: %v, want ErrNotFound", err)
		}
		if err := ks.Delete(acct); err != nil {
			t.Errorf("Delete of missing account: %v, want nil", err)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := ks.Get(uniqueAccount(t))
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrKeychainUnavailable) {
			t.Errorf("Get of missing account: %v, want ErrNotFound only", err)
		}
	})
	t.Run("MovedHome", func(t *testing.T) { checkMovedHomeOpens(t, ks, t.TempDir()) })
	t.Run("OldHomeMigrates", func(t *testing.T) { checkOldHomeMigrates(t, ks, t.TempDir()) })
	t.Run("SaveLoad", func(t *testing.T) {
		home := t.TempDir()
		id := testIdentity(t)
		if err := Save(home, ks, id); err != nil {
			t.Fatalf("Save: %v", err)
		}
		acct := homeAccount(t, home)
		t.Cleanup(func() { _ = ks.Delete(acct) })
		got, err := Load(home, ks)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		sameIdentity(t, got, id)
		if _, err := Load(home, NewFileKeystore(t.TempDir())); !errors.Is(err, ErrMasterKeyMissing) {
			t.Errorf("Load with the file keystore: %v, want ErrMasterKeyMissing", err)
		}
		if err := ks.Delete(acct); err != nil {
			t.Fatal(err)
		}
		_, err = Load(home, ks)
		if !errors.Is(err, ErrMasterKeyMissing) || !strings.Contains(err.Error(), "not in the keychain keystore") {
			t.Errorf("Load after deleting the key: %v, want ErrMasterKeyMissing naming the keychain", err)
		}
	})
}

// TestKeychainUnavailable checks the error (and its advice) when the session
// bus cannot be reached. It runs in a child process: the D-Bus connection of
// this process may already be cached.
func TestKeychainUnavailable(t *testing.T) {
	if os.Getenv("TINCAN_TEST_DEAD_BUS") == "" {
		bus := "unix:path=" + filepath.Join(t.TempDir(), "no-such-bus")
		env := append(withoutEnv("DBUS_SESSION_BUS_ADDRESS", "TINCAN_TEST_DEAD_BUS"),
			"DBUS_SESSION_BUS_ADDRESS="+bus, "TINCAN_TEST_DEAD_BUS=1")
		runSelf(t, env, "^TestKeychainUnavailable$")
		return
	}
	ks := NewKeychain()
	_, getErr := ks.Get("tincan-test-account")
	setErr := ks.Set("tincan-test-account", []byte("x"))
	delErr := ks.Delete("tincan-test-account")
	for op, err := range map[string]error{"Get": getErr, "Set": setErr, "Delete": delErr} {
		if !errors.Is(err, ErrKeychainUnavailable) || errors.Is(err, ErrNotFound) {
			t.Errorf("%s with a dead bus: %v, want ErrKeychainUnavailable", op, err)
			continue
		}
		t.Logf("%s: %v", op, err)
		if msg := err.Error(); !strings.Contains(msg, "--keystore file") || !strings.Contains(msg, "no-such-bus") {
			t.Errorf("%s: message %q should name the fix (--keystore file) and the cause", op, msg)
		}
	}

	// Load of an existing identity must keep the sentinel for callers. It
	// asks the keystore before decrypting, so the sealed bytes need not be real.
	home := t.TempDir()
	file := append(identityFile.header(sealedVersion), make([]byte, 64)...)
	if err := os.WriteFile(filepath.Join(home, SealedFileName), file, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(home, ks); !errors.Is(err, ErrKeychainUnavailable) || errors.Is(err, ErrMasterKeyMissing) {
		t.Errorf("Load with a dead keychain: %v, want ErrKeychainUnavailable", err)
	}
}

// runInSecretService re-runs TestKeychain in this test binary inside a new
// session bus with gnome-keyring unlocked, in a throwaway HOME.
func runInSecretService(t *testing.T) {
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found (%v): the keychain tests need a real Secret Service; install it with: apt-get install %s",
				tool, err, keychainPackages)
		}
	}
	home := t.TempDir()
	env := withoutEnv("DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME",
		"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "GNOME_KEYRING_CONTROL")
	env = append(env, "HOME="+home)
	for _, v := range []string{"XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"} {
		dir := filepath.Join(home, strings.ToLower(v))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, v+"="+dir)
	}
	script := `echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"`
	out := runCmd(t, env, "dbus-run-session", "--", "sh", "-c", script, "sh",
		os.Args[0], "-test.run=^TestKeychain$", "-test.v", "-test.count=1")
	t.Logf("inside dbus-run-session:\n%s", out)
	for _, sub := range []string{"SetGetDelete", "NotFound", "MovedHome", "OldHomeMigrates", "SaveLoad"} {
		if !strings.Contains(out, "--- PASS: TestKeychain/"+sub) {
			t.Errorf("subtest %s did not pass inside the session bus:\n%s", sub, out)
		}
	}
}

// runSelf re-runs this test binary with env, for the tests matching run.
func runSelf(t *testing.T, env []string, run string) {
	t.Helper()
	out := runCmd(t, env, os.Args[0], "-test.run="+run, "-test.v", "-test.count=1")
	if !strings.Contains(out, "--- PASS: ") {
		t.Errorf("child test run did not report a pass:\n%s", out)
	}
	t.Logf("child run:\n%s", out)
}

func runCmd(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// withoutEnv returns this process's environment minus the named variables.
func withoutEnv(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || k == n
		}
		if !drop {
			env = append(env, kv)
		}
	}
	return env
}

// uniqueAccount returns a fresh keychain account and deletes it after the test.
func uniqueAccount(t *testing.T) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	acct := "tincan-test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() { _ = NewKeychain().Delete(acct) })
	return acct
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
