package discovery

import (
	"errors"
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
