package node

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"tincan/core/discovery"
	"tincan/core/link"
	"tincan/core/observed"
	"tincan/core/overlay"
)

// EntryOptions let a reachable node keep the entry name's DNS records
// (Cloudflare) and publish itself as an entry point. The API token comes
// from CLOUDFLARE_API_TOKEN the first time and is kept in the keystore.
type EntryOptions struct {
	Zone     string        // Cloudflare zone name, e.g. tincan.example; "" never writes
	APIBase  string        // Cloudflare API base URL; "" for Cloudflare's own (tests use a local fake)
	Interval time.Duration // between checks; 0 means one minute
	// Allow lists non-global prefixes whose addresses may be published and
	// may vouch for ours (a private deployment, or a lab whose "internet"
	// is a reserved range); empty means only globally routable addresses.
	Allow []netip.Prefix
}

// startElector runs the entry-point election when the node has what it needs:
// an entry name, a zone and a token. Without them it never writes DNS.
func (o *overlayPart) startElector(ctx context.Context, wg *sync.WaitGroup) error {
	e := o.opts.Entry
	if o.opts.EntryName == "" || e.Zone == "" {
		return nil
	}
	if err := discovery.MigrateToken(o.n.ks, o.n.home); err != nil {
		o.log.Warn("could not move the Cloudflare token to the home's ID; the old entry is kept", "err", err)
	}
	account, err := discovery.TokenAccount(o.n.home)
	if err != nil {
		return err
	}
	token, err := discovery.ResolveToken(o.n.ks, account, os.Getenv)
	if errors.Is(err, discovery.ErrNoToken) {
		o.log.Info("no Cloudflare token: this node will not publish itself as an entry point", "env", discovery.TokenEnv)
		return nil
	}
	if err != nil {
		return fmt.Errorf("entry point token: %w", err)
	}
	cf, err := discovery.NewCloudflare(discovery.CloudflareConfig{
		Token: token, ZoneName: e.Zone, RecordName: o.opts.EntryName, BaseURL: e.APIBase,
		Logger: o.log.With("part", "ddns"), Key: o.guid().String(),
	})
	if err != nil {
		return fmt.Errorf("entry point DNS: %w", err)
	}
	o.elector, err = discovery.NewElector(discovery.ElectorConfig{
		Provider:  cf,
		Prober:    linkProber{o.net},
		Port:      o.opts.EntryPort,
		Self:      o.publicAddr,
		Reachable: o.reachable,
		Allow:     e.Allow,
		Interval:  e.Interval,
		Logger:    o.log.With("part", "elector"),
	})
	if err != nil {
		return fmt.Errorf("entry point election: %w", err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := o.elector.Run(ctx); err != nil {
			o.log.Error("entry point election stopped", "err", err)
		}
	}()
	return nil
}

// reachable is the dial-back proof: a node outside our network (at an
// address that could vouch for us: globally routable, or inside an
// allowed prefix) opened a link to us. A LAN peer proves nothing about the
// internet. Never assumed from a public address alone.
func (o *overlayPart) reachable() bool {
	for _, l := range o.net.Links() {
		if l.Inbound && discovery.Publishable(l.Remote.Addr(), o.opts.Entry.Allow) {
			return true
		}
	}
	return false
}

// publicAddr is the address to publish, one this node confirmed itself,
// never a peer's word: the listen address, or a local interface's, when it
// is publishable and others reach us on it at the entry port; else the
// address our router maps the entry port to; else the IP that inbound
// links from at least two networks agree they reached us at.
func (o *overlayPart) publicAddr() netip.Addr {
	allow, port := o.opts.Entry.Allow, o.opts.EntryPort
	if o.listen.Port() == port {
		if a := o.listen.Addr(); a.IsValid() && !a.IsUnspecified() {
			if discovery.Publishable(a, allow) {
				return a.Unmap()
			}
			return netip.Addr{} // bound to one unpublishable address: nothing else reaches us
		}
		if a, ok := localPublishable(allow); ok {
			return a
		}
	}
	for _, m := range o.mappedAddrs() {
		if m.Port() == port && discovery.Publishable(m.Addr(), allow) {
			return m.Addr().Unmap()
		}
	}
	a, _ := o.net.Observations().Confirmed(observed.Rule{
		Counts:  func(from netip.Addr) bool { return discovery.Publishable(from, allow) },
		Network: func(from netip.Addr) netip.Prefix { return discovery.ObserverNetwork(from, allow) },
		Port:    port,
	})
	if !discovery.Publishable(a, allow) {
		return netip.Addr{}
	}
	return a
}

// interfaceAddrs lists this host's interface addresses (a variable so that
// tests can give a host with no public address of its own).
var interfaceAddrs = net.InterfaceAddrs

// localPublishable returns the first publishable address of this host's
// interfaces (a host with a public address of its own).
func localPublishable(allow []netip.Prefix) (netip.Addr, bool) {
	for _, a := range ownAddrs() {
		if discovery.Publishable(a, allow) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// ownAddrs are this host's interface addresses, unmapped.
func ownAddrs() []netip.Addr {
	addrs, err := interfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, ia := range addrs {
		if p, err := netip.ParsePrefix(ia.String()); err == nil {
			out = append(out, p.Addr().Unmap())
		}
	}
	return out
}

// linkProber checks an entry point by the link handshake: a tincan node
// must answer, and the one its record names when it names one.
type linkProber struct{ net *link.Net }

// Probe implements discovery.Prober.
func (p linkProber) Probe(ctx context.Context, addr netip.AddrPort, key string) error {
	g, err := p.net.Probe(ctx, addr)
	if err != nil {
		return err
	}
	if key != "" && g.String() != key {
		return fmt.Errorf("probe %s: %w (%s, not %s)", addr, discovery.ErrWrongKey, g.Short(), key)
	}
	return nil
}

// entryRole says whether this node is a published entry point.
func (o *overlayPart) entryRole() string {
	if o.elector == nil {
		return "none"
	}
	return string(o.elector.State().Role)
}

// guid is this node's overlay identity, the hash of its node key.
func (o *overlayPart) guid() overlay.GUID {
	return overlay.GUIDOf(o.key.Public().(ed25519.PublicKey))
}
