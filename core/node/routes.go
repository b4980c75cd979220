package node

import (
	"context"
	"log/slog"
	"time"

	"tincan/core/chat"
	"tincan/core/store"
)

// punchTimeout bounds one punched route: the SYN schedule, the punch
// handshake and TLS. Longer than a hole punch needs, shorter than chat's
// handshake timeout, so relays are tried sooner for pairs that cannot punch.
const punchTimeout = 7 * time.Second

// routeStagger is the head start each route gets before the next begins.
const routeStagger = 150 * time.Millisecond

// router is chat's Router: every address the locator knows, dialed from
// the listen port with the punch handshake (so a dial doubles as a hole
// punch), and relays last.
type router struct {
	loc    chat.Locator
	punch  punchDialer
	relays func(ctx context.Context, c store.Contact) []chat.Route // nil: none
	log    *slog.Logger
}

// Locate returns the locator's addresses.
func (r *router) Locate(ctx context.Context, c store.Contact) ([]string, error) {
	return r.loc.Locate(ctx, c)
}

// Routes returns a punched route per address (the remembered one first),
// staggered, then relays.
func (r *router) Routes(ctx context.Context, c store.Contact) ([]chat.Route, error) {
	start := time.Now()
	addrs, err := r.loc.Locate(ctx, c)
	if err != nil {
		return nil, err
	}
	addrs = chat.RememberedFirst(c, addrs) // where a dial of ours last reached it
	r.log.Debug("located", "contact", c.ID, "addrs", addrs, "took", time.Since(start))
	routes := make([]chat.Route, 0, len(addrs)+2)
	for i, addr := range addrs {
		routes = append(routes, chat.Route{
			Addr:    addr,
			Delay:   time.Duration(i) * routeStagger,
			Timeout: punchTimeout,
			Dial:    func(ctx context.Context) (chat.Raw, error) { return r.punch.dial(ctx, addr) },
		})
	}
	if r.relays != nil {
		routes = append(routes, r.relays(ctx, c)...)
	}
	return routes, nil
}
