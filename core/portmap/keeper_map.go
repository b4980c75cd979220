package portmap

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// minRenew is the shortest renewal interval a router's short grant can force.
const minRenew = 5 * time.Second

// establish tries each method in turn until one maps.
func (k *Keeper) establish(ctx context.Context) error {
	var errs []error
	for _, m := range k.opts.Methods {
		c, err := k.open(ctx, m)
		if err == nil {
			clear(k.ports)
			err = k.mapAll(ctx, c)
		}
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", m, err))
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// open finds the router for method m.
func (k *Keeper) open(ctx context.Context, m string) (client, error) {
	gw := k.opts.Gateway
	var gwErr error
	if !gw.IsValid() {
		gw, gwErr = defaultGateway()
	}
	switch m {
	case MethodPCP:
		if gwErr != nil {
			return nil, gwErr
		}
		return newPCP(gw, k.opts.Timeout, k.pcpNonces, k.log), nil
	case MethodNATPMP:
		if gwErr != nil {
			return nil, gwErr
		}
		return newNATPMP(gw, k.opts.Timeout), nil
	default:
		return discoverIGD(ctx, gw, k.opts.Timeout)
	}
}

// mapAll asks c for a mapping of each protocol, and makes what it got
// Current, even if ctx ended half way, so that release removes it.
func (k *Keeper) mapAll(ctx context.Context, c client) error {
	if err := c.begin(ctx); err != nil {
		return err
	}
	var ms []Mapping
	var errs []error
	life := k.opts.Lifetime
	for _, proto := range []string{TCP, UDP} {
		want := k.ports[proto]
		if want == 0 {
			want = k.port
		}
		ext, granted, err := c.add(ctx, proto, k.port, want, k.opts.Lifetime)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", proto, err))
			delete(k.ports, proto)
			continue
		}
		if granted <= 0 {
			granted = k.opts.Lifetime // permanent: re-asserted as if leased
		}
		life = min(life, granted)
		k.ports[proto] = ext.Port()
		ms = append(ms, Mapping{Protocol: proto, Method: c.method(),
			Internal: netip.AddrPortFrom(c.local(), k.port), External: ext,
			Expires: time.Now().Add(granted)})
	}
	if len(ms) == 0 {
		return errors.Join(errs...)
	}
	if len(errs) > 0 {
		k.log.Debug("port mapped for one protocol only", "method", c.method(), "err", errors.Join(errs...))
	}
	k.client = c
	k.renewIn = max(min(life/2, k.opts.Lifetime/2), min(minRenew, k.opts.Lifetime/2))
	if k.set(ms) {
		k.log.Info("port mapped", "method", c.method(), "external", ms[0].External, "protocols", len(ms), "renew", k.renewIn)
	}
	return nil
}

// release removes the mappings within a fresh timeout, ctx having ended.
func (k *Keeper) release(ctx context.Context) {
	if k.client == nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), k.opts.Timeout)
	defer cancel()
	for _, m := range k.Current() {
		if err := k.client.remove(rctx, m.Protocol, k.port, m.External.Port()); err != nil {
			k.log.Info("port mapping not removed; the router drops it when it expires",
				"method", m.Method, "protocol", m.Protocol, "external", m.External, "expires", m.Expires, "err", err)
		} else {
			k.log.Info("port mapping removed", "method", m.Method, "protocol", m.Protocol, "external", m.External)
		}
	}
	k.client = nil
	k.set(nil)
}
