package discovery

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tincan/core/identity"
)

var _ SecretStore = identity.Keystore(nil) // the project's keystore satisfies SecretStore

func TestTokenFromEnvThenKeystore(t *testing.T) {
	ks := identity.NewFileKeystore(t.TempDir())
	acct, err := TokenAccount(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	if _, err := ResolveToken(ks, acct, getenv); !errors.Is(err, ErrNoToken) {
		t.Fatalf("nothing given: %v, want ErrNoToken", err)
	}
	env[TokenEnv] = " first-token \n"
	if tok, err := ResolveToken(ks, acct, getenv); err != nil || tok != "first-token" {
		t.Fatalf("from env: %q, %v", tok, err)
	}
	delete(env, TokenEnv)
	if tok, err := ResolveToken(ks, acct, getenv); err != nil || tok != "first-token" {
		t.Fatalf("from the keystore: %q, %v", tok, err)
	}
	env[TokenEnv] = "second-token"
	if tok, err := ResolveToken(ks, acct, getenv); err != nil || tok != "second-token" {
		t.Fatalf("a new token in env: %q, %v", tok, err)
	}
	delete(env, TokenEnv)
	if tok, err := LoadToken(ks, acct); err != nil || tok != "second-token" {
		t.Fatalf("the new token was not stored: %q, %v", tok, err)
	}
	env[TokenEnv] = "bad\ttoken"
	if _, err := ResolveToken(ks, acct, getenv); !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), TokenEnv) {
		t.Fatalf("bad token in env: %v", err)
	}
	if tok, _ := LoadToken(ks, acct); tok != "second-token" {
		t.Fatalf("a bad token replaced the stored one: %q", tok)
	}
	other, _ := TokenAccount(t.TempDir())
	if other == acct {
		t.Fatal("two homes share a token account")
	}
	if _, err := LoadToken(ks, other); !errors.Is(err, ErrNoToken) {
		t.Fatalf("other home: %v", err)
	}
}

func TestLoadTokenRejectsCorruptStore(t *testing.T) {
	ks := identity.NewFileKeystore(t.TempDir())
	if err := ks.Set("acct", []byte("has\nnewline")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadToken(ks, "acct"); !errors.Is(err, ErrBadToken) {
		t.Fatalf("corrupt stored token: %v", err)
	}
	if err := SaveToken(ks, "acct", strings.Repeat("x", MaxTokenLen+1)); !errors.Is(err, ErrBadToken) {
		t.Fatalf("long token saved: %v", err)
	}
}

func TestTokenFollowsAMovedHome(t *testing.T) {
	parent := t.TempDir()
	home := filepath.Join(parent, "home")
	ks := identity.NewFileKeystore(t.TempDir())
	// Before home IDs the token was kept under the home's path.
	old := "cloudflare-api-token:" + home
	if err := ks.Set(old, []byte("old-token")); err != nil {
		t.Fatal(err)
	}
	if err := MigrateToken(ks, home); err != nil {
		t.Fatalf("MigrateToken: %v", err)
	}
	acct, err := TokenAccount(home)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(acct, home) {
		t.Errorf("token account %q still names the home's path", acct)
	}
	if tok, err := LoadToken(ks, acct); err != nil || tok != "old-token" {
		t.Fatalf("after migration the token is %q, %v", tok, err)
	}
	if _, err := ks.Get(old); !errors.Is(err, identity.ErrNotFound) {
		t.Errorf("the token under the path is still there after migration: %v", err)
	}
	if err := MigrateToken(ks, home); err != nil {
		t.Errorf("a second MigrateToken: %v", err)
	}
	moved := filepath.Join(parent, "moved")
	if err := os.Rename(home, moved); err != nil {
		t.Fatal(err)
	}
	acct2, err := TokenAccount(moved)
	if err != nil || acct2 != acct {
		t.Fatalf("the moved home's token account is %q (%v), want %q", acct2, err, acct)
	}
	if tok, err := LoadToken(ks, acct2); err != nil || tok != "old-token" {
		t.Errorf("the moved home's token: %q, %v", tok, err)
	}
}
