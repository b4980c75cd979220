package chat

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"tincan/core/store"
)

// routerFunc is a Router (and Locator) from a function.
type routerFunc func(c store.Contact) []Route

func (f routerFunc) Routes(_ context.Context, c store.Contact) ([]Route, error) { return f(c), nil }
func (f routerFunc) Locate(context.Context, store.Contact) ([]string, error)    { return nil, nil }

// plainRoute dials addr over TCP and reports the given path.
func plainRoute(addr, path string, delay time.Duration) Route {
	return Route{Addr: addr, Delay: delay, Dial: func(ctx context.Context) (Raw, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return Raw{}, err
		}
		return Raw{Conn: c, Client: true, Path: path, Relay: map[bool]string{true: "relay:1"}[path == PathRelay]}, nil
	}}
}

// TestRoutesRaceFirstSessionWins: a route that never answers does not hold
// up one that does; the loser is cancelled and the fallback never starts.
func TestRoutesRaceFirstSessionWins(t *testing.T) {
	a, b := newNode(t, "ana"), newNode(t, "bo")
	cb := a.know(b)
	b.know(a)
	hung := make(chan struct{})
	var fallbacks atomic.Int32
	a.tweak = func(cfg *Config) {
		cfg.Locator = routerFunc(func(store.Contact) []Route {
			return []Route{
				{Addr: "blackhole", Timeout: time.Hour, Dial: func(ctx context.Context) (Raw, error) {
					<-ctx.Done() // a SYN into a NAT that drops it
					close(hung)
					return Raw{}, ctx.Err()
				}},
				plainRoute(b.addr, PathDirect, 50*time.Millisecond),
				{Addr: "relay", Fallback: true, Dial: func(context.Context) (Raw, error) {
					fallbacks.Add(1)
					return Raw{}, errors.New("not wanted")
				}},
			}
		})
	}
	b.start()
	a.start()
	a.enqueue(cb, "hello")
	waitFor(t, "a session over the answering route", func() bool { return a.m.Presence(cb.ID).Path == PathDirect })
	select {
	case <-hung:
	case <-time.After(10 * time.Second):
		t.Fatal("the losing route was not cancelled")
	}
	waitFor(t, "delivery", func() bool { return a.rec.count(store.Delivered) == 1 })
	if n := fallbacks.Load(); n != 0 {
		t.Errorf("fallback route started %d times with a direct route up", n)
	}
}

// TestRoutesFallbackThenUpgrade: fallback routes start only after every
// direct route failed; a relayed session then switches to a direct one
// when it works, and every message arrives once.
func TestRoutesFallbackThenUpgrade(t *testing.T) {
	a, b := newNode(t, "ana"), newNode(t, "bo")
	cb := a.know(b)
	ca := b.know(a)
	// bo has no route to ana: only ana's dials are under test (with
	// presence, bo would otherwise dial her directly at start).
	b.tweak = noDial
	var directOpen atomic.Bool
	var directTries, relayTries atomic.Int32
	a.tweak = func(cfg *Config) {
		cfg.UpgradeEvery = 100 * time.Millisecond
		cfg.Locator = routerFunc(func(store.Contact) []Route {
			direct := plainRoute(b.addr, PathDirect, 0)
			dial := direct.Dial
			direct.Dial = func(ctx context.Context) (Raw, error) {
				directTries.Add(1)
				if !directOpen.Load() {
					return Raw{}, errors.New("no direct path yet")
				}
				return dial(ctx)
			}
			relayed := plainRoute(b.addr, PathRelay, 0)
			rdial := relayed.Dial
			relayed.Fallback = true
			relayed.Dial = func(ctx context.Context) (Raw, error) {
				relayTries.Add(1)
				if directTries.Load() == 0 {
					t.Error("fallback started before the direct route was tried")
				}
				return rdial(ctx)
			}
			return []Route{direct, relayed}
		})
	}
	b.start()
	a.start()
	for _, body := range bodiesN("before", 5) {
		a.enqueue(cb, body)
	}
	waitFor(t, "a relayed session", func() bool {
		p := a.m.Presence(cb.ID)
		return p.Path == PathRelay && p.Relay == "relay:1"
	})
	directOpen.Store(true)
	for _, body := range bodiesN("after", 5) {
		a.enqueue(cb, body)
	}
	waitFor(t, "the upgrade to a direct session", func() bool {
		p := a.m.Presence(cb.ID)
		return p.Online && p.Path == PathDirect && p.Relay == ""
	})
	waitFor(t, "every message delivered", func() bool { return a.rec.count(store.Delivered) == 10 })
	got := incoming(b.history(ca))
	if err := sameStrings(got, append(bodiesN("before", 5), bodiesN("after", 5)...)); err != nil {
		t.Fatal(err)
	}
	if relayTries.Load() == 0 {
		t.Error("the fallback route never ran")
	}
}

// TestEarlyFallbackDoesNotWaitForAHungDirectRoute: an Early fallback (a
// relay the user agreed to) joins the race after its head start, so the
// first message goes through it long before the direct route times out;
// the relayed session then tries direct routes again soon (UpgradeFirst).
func TestEarlyFallbackDoesNotWaitForAHungDirectRoute(t *testing.T) {
	a, b := newNode(t, "ana"), newNode(t, "bo")
	cb := a.know(b)
	b.know(a)
	b.tweak = noDial
	var directTries atomic.Int32
	a.tweak = func(cfg *Config) {
		cfg.UpgradeFirst = 50 * time.Millisecond
		cfg.Locator = routerFunc(func(store.Contact) []Route {
			relayed := plainRoute(b.addr, PathRelay, 0)
			relayed.Fallback, relayed.Early = true, 100*time.Millisecond
			return []Route{
				{Addr: "blackhole", Timeout: time.Hour, Dial: func(ctx context.Context) (Raw, error) {
					directTries.Add(1)
					<-ctx.Done() // a SYN into a NAT that drops it
					return Raw{}, ctx.Err()
				}},
				relayed,
			}
		})
	}
	b.start()
	a.start()
	start := time.Now()
	a.enqueue(cb, "hello")
	waitFor(t, "delivery through the relay", func() bool { return a.rec.count(store.Delivered) == 1 })
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("the early relay waited %v: it did not start before the direct route gave up", took)
	}
	if p := a.m.Presence(cb.ID); p.Path != PathRelay {
		t.Fatalf("the session is on %q, want the relay", p.Path)
	}
	waitFor(t, "a direct try soon after the relayed session came up", func() bool { return directTries.Load() >= 2 })
}
