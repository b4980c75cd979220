package node

import (
	"context"
	"net"
	"net/netip"
	"sync"

	"tincan/core/portmap"
)

// startPortMap keeps a mapping of the listen port on the router (PCP,
// NAT-PMP or UPnP-IGD) while ctx lasts, unless the node listens only on loopback or
// the user said --no-portmap. Most routers offer none; that is quiet.
func (n *Node) startPortMap(ctx context.Context, wg *sync.WaitGroup, off bool) {
	if off || n.ln == nil {
		return
	}
	ap := n.ln.Addr().(*net.TCPAddr).AddrPort()
	if ap.Addr().Unmap().IsLoopback() {
		return
	}
	n.portmap = portmap.NewKeeper(ap.Port(), portmap.Options{Logger: n.log.With("part", "portmap")})
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := n.portmap.Run(ctx); err != nil {
			n.log.Warn("port mapping off", "err", err)
		}
	}()
}

// mappedTCP are the external addresses where the router forwards our TCP port.
func (n *Node) mappedTCP() []netip.AddrPort {
	if n.portmap == nil {
		return nil
	}
	var out []netip.AddrPort
	for _, m := range n.portmap.Current() {
		if m.Protocol == portmap.TCP {
			out = append(out, m.External)
		}
	}
	return out
}

// mappings lists every mapping as "proto external (method)" for status.
func (n *Node) mappings() []string {
	if n.portmap == nil {
		return nil
	}
	var out []string
	for _, m := range n.portmap.Current() {
		out = append(out, m.Protocol+" "+m.External.String()+" ("+m.Method+")")
	}
	return out
}
