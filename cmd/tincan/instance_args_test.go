//go:build !nogui

package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tincan/core/autostart"
	"tincan/core/identity"
)

func TestTakeHidden(t *testing.T) {
	for _, tc := range []struct {
		in     []string
		out    []string
		hidden bool
	}{
		{[]string{"--home", "/h"}, []string{"--home", "/h"}, false},
		{[]string{"--hidden", "--home", "/h"}, []string{"--home", "/h"}, true},
		{[]string{"--home", "/h", "-hidden"}, []string{"--home", "/h"}, true},
		{[]string{"--hidden=true"}, []string{}, true},
		{[]string{"--hidden", "--hidden=false"}, []string{}, false},
		{[]string{"--open", "--hidden"}, []string{"--open", "--hidden"}, false}, // a contact named --hidden
		{[]string{"--", "--hidden"}, []string{"--", "--hidden"}, false},
	} {
		out, hidden, err := takeHidden(tc.in)
		if err != nil || hidden != tc.hidden || !slices.Equal(out, tc.out) {
			t.Errorf("%q should give %q, hidden %v; got %q, hidden %v, %v", tc.in, tc.out, tc.hidden, out, hidden, err)
		}
	}
	if _, _, err := takeHidden([]string{"--hidden=yes"}); err == nil {
		t.Error("--hidden=yes should be refused: the flag takes no value")
	}
}

func TestWaitNodeAnswersWithoutANode(t *testing.T) {
	g := &gui{changed: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := g.waitNode(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("while the node opens a request should wait, until its deadline here; got %v", err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := g.waitNode(context.Background())
		done <- err
	}()
	g.mu.Lock()
	g.openErr = identity.ErrNoIdentity
	g.changedLocked()
	g.mu.Unlock()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no identity yet") {
			t.Fatalf("on first run a waiting request should learn there is no identity yet, got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a waiting request should wake when the node fails to open")
	}

	g.mu.Lock()
	g.openErr, g.quitting = nil, true
	g.changedLocked()
	g.mu.Unlock()
	if _, err := g.waitNode(context.Background()); !errors.Is(err, errQuitting) {
		t.Fatalf("while the app quits a request should be refused, got %v", err)
	}
}

func TestAutostartCommandLine(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("TINCAN_HOME", "")
	for _, tc := range []struct {
		c    common
		want []string
	}{
		{common{home: filepath.Join(cfg, "tincan"), keystore: "keychain"}, []string{"--hidden"}},
		{common{home: "/srv/ana", keystore: "keychain"}, []string{"--hidden", "--home", "/srv/ana"}},
		{common{home: filepath.Join(cfg, "tincan"), keystore: "file"}, []string{"--hidden", "--keystore", "file"}},
	} {
		g := &gui{common: tc.c, log: slog.Default()}
		sw, ok := g.autostart().(autostart.Switch)
		if !ok || !filepath.IsAbs(sw.Exe) || !slices.Equal(sw.Args, tc.want) {
			t.Errorf("home %s, keystore %s: login should start this program with %q, got %+v", tc.c.home, tc.c.keystore, tc.want, sw)
		}
	}
}
