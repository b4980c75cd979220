package node

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"time"

	"tincan/core/discovery"
)

// EntryOptions let a reachable node keep the entry name's DNS records
// (Cloudflare) and publish itself as an entry point. The API token comes
// from CLOUDFLARE_API_TOKEN the first time and is kept in the keystore.
type EntryOptions struct {
	Zone     string        // Cloudflare zone name, e.g. tincan.example; "" never writes
	APIBase  string        // Cloudflare API base URL; "" for Cloudflare's own (tests use a local fake)
	Interval time.Duration // between checks; 0 means one minute
}

// startElector runs the entry-point election when the node has what it needs:
// an entry name, a zone and a token. Without them it never writes DNS.
func (o *overlayPart) startElector(ctx context.Context, wg *sync.WaitGroup) error {
	e := o.opts.Entry
	if o.opts.EntryName == "" || e.Zone == "" {
		return nil
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
		Logger: o.log.With("part", "ddns"),
	})
	if err != nil {
		return fmt.Errorf("entry point DNS: %w", err)
	}
	o.elector, err = discovery.NewElector(discovery.ElectorConfig{
		Provider:  cf,
		Prober:    discovery.TCPProber{Timeout: 5 * time.Second},
		Port:      o.opts.EntryPort,
		Self:      o.publicAddr,
		Reachable: o.reachable,
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

// reachable is the dial-back proof: another node opened a link to our
// advertised address, so anyone can. Never assumed from a public address alone.
func (o *overlayPart) reachable() bool {
	for _, l := range o.net.Links() {
		if l.Inbound {
			return true
		}
	}
	return false
}

// publicAddr is the address to publish: the listen address when it is a
// concrete one, else what peers observe.
func (o *overlayPart) publicAddr() netip.Addr {
	if o.listen.Addr().IsValid() && !o.listen.Addr().IsUnspecified() {
		return o.listen.Addr()
	}
	for _, a := range o.net.Observed() {
		return a.Addr()
	}
	return netip.Addr{}
}

// entryRole says whether this node is a published entry point.
func (o *overlayPart) entryRole() string {
	if o.elector == nil {
		return "none"
	}
	return string(o.elector.State().Role)
}
