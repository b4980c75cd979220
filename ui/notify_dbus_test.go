//go:build linux

package ui

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"tincan/assets"
)

// startMessageNotifier runs a D-Bus message notifier on the bus at addr
// until the test ends; plain is where it falls back.
func startMessageNotifier(t *testing.T, addr string, plain messageNotifier) *dbusMessageNotifier {
	t.Helper()
	n := newDBusMessageNotifier(addr, assets.Icon, plain, func(f func()) { f() }, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		n.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return n
}

// waitFor polls cond for a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMessageNotificationsReplaceExpireAndCarryTheIcon(t *testing.T) {
	addr := privateBus(t)
	srv := startNotifyServer(t, addr, "body")
	plain := &fakeNotifier{}
	n := startMessageNotifier(t, addr, plain)

	n.Show("Ben", "Ben", "hello")
	waitFor(t, "the first notification shows", func() bool { return len(srv.shown()) == 1 })
	n.Show("Ben", "Ben", "2 new messages")
	waitFor(t, "the second replaces it", func() bool { return len(srv.shown()) == 2 })
	first, second := srv.shown()[0], srv.shown()[1]
	if first.replaces != 0 || second.replaces != first.id {
		t.Errorf("the second notification should replace the first (id %d), it replaces %d", first.id, second.replaces)
	}
	if second.summary != "Ben" || second.body != "2 new messages" {
		t.Errorf("shown %q / %q, want Ben / 2 new messages", second.summary, second.body)
	}
	if second.timeout != int32(messageExpire/time.Millisecond) || second.timeout <= 0 {
		t.Errorf("the notification expires after %d ms, want %d", second.timeout, messageExpire/time.Millisecond)
	}
	if second.icon != appIconName || second.app != "tincan" {
		t.Errorf("app %q icon %q, want tincan and the app's icon", second.app, second.icon)
	}
	if _, ok := second.hints["image-data"]; !ok {
		t.Error("the notification carries no image-data (the app's icon)")
	}
	// Another conversation gets its own notification.
	n.Show("Cy", "Cy", "hi")
	waitFor(t, "Cy's notification shows", func() bool { return len(srv.shown()) == 3 })
	if r := srv.shown()[2].replaces; r != 0 {
		t.Errorf("Cy's notification replaced notification %d", r)
	}
	// Reading Ben's conversation takes his away.
	n.Close("Ben")
	waitFor(t, "Ben's notification is closed", func() bool { return srv.wasClosed(second.id) })
	if len(plain.shown) != 0 {
		t.Errorf("with a server, nothing should go the plain way: %q", plain.shown)
	}
}

func TestMessageNotificationsFallBackWithoutAServer(t *testing.T) {
	addr := privateBus(t) // a bus, but no notification server on it
	plain := &fakeNotifier{}
	n := startMessageNotifier(t, addr, plain)
	n.Show("Ben", "Ben", "hello")
	waitFor(t, "the notification goes the plain way", func() bool {
		plain.mu.Lock()
		defer plain.mu.Unlock()
		return len(plain.shown) == 1
	})
	n.Show("Ben", "Ben", "2 new messages")
	plain.mu.Lock()
	defer plain.mu.Unlock()
	if len(plain.shown) != 2 || plain.shown[1] != "Ben|Ben|2 new messages" {
		t.Errorf("after the server failed, notifications should go the plain way; shown %q", plain.shown)
	}
}
