package node

import (
	"context"
	"crypto/ed25519"
	"net/netip"
	"sync"

	"tincan/core/discovery"
	"tincan/core/overlay"
)

// startLAN announces this node on the local segment and feeds the nodes it
// hears into joining, so two machines on one LAN find each other unconfigured.
func (o *overlayPart) startLAN(ctx context.Context, wg *sync.WaitGroup) {
	if o.opts.NoLAN || o.listen.Port() == 0 || o.listen.Addr().IsLoopback() {
		return // nobody on the LAN could reach a loopback listener anyway
	}
	b, err := discovery.NewLANBeacon(discovery.LANConfig{
		GUID: overlay.GUIDOf(o.key.Public().(ed25519.PublicKey)),
		Port: o.listen.Port(),
		Found: func(_ [20]byte, addr netip.AddrPort) {
			select {
			case o.lanFound <- addr:
			default: // joining is busy; the next beacon comes soon
			}
		},
		Logger: o.log.With("part", "lan"),
	})
	if err != nil {
		o.log.Warn("LAN discovery off", "err", err)
		return
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := b.Run(ctx); err != nil {
			o.log.Warn("LAN discovery stopped", "err", err)
		}
	}()
}
