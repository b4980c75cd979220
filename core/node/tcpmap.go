package node

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	reuseport "github.com/libp2p/go-reuseport"

	"tincan/core/link"
	"tincan/core/stun"
)

// How the node learns the external TCP address of its listen port P: it
// dials up to tcpCheckPeers linked peers at different IPs from P itself
// (the link handshake, then hang up) and reads in their hellos where they
// saw us. Two peers at different IPs agreeing is a fact (the NAT maps P
// there for everyone: endpoint-independent); peers disagreeing mean the
// port changes per destination; one peer alone is a hint, offered as a
// dial candidate but never called confirmed. The seed's step 2: "the host
// needs to first discover the external port that its serversocket is
// running on".
const (
	tcpCheckPeers   = 3
	tcpCheckTimeout = 5 * time.Second
	tcpCheckFirst   = time.Second      // after the first link
	tcpCheckRetry   = 10 * time.Second // while fewer than two peers answered
	tcpCheckEvery   = 2 * time.Minute  // then, to follow a NAT that changes
)

// TCP mapping verdicts, as RFC 4787 names the behaviours.
const (
	tcpMappingIndependent = "endpoint-independent"
	tcpMappingDependent   = "endpoint-dependent"
	tcpMappingUnknown     = "unknown"
)

// tcpMapping is what the last check learnt.
type tcpMapping struct {
	External  netip.AddrPort // where the NAT maps P; valid when agreed or hinted
	Mapping   string         // one of the verdicts
	Observers int            // peers (at distinct IPs) that answered
	Agreed    bool           // two or more of them named External
	At        time.Time
}

// tcpMapState holds the last verdict for readers on other goroutines.
type tcpMapState struct {
	mu sync.Mutex
	m  tcpMapping
}

func (s *tcpMapState) get() tcpMapping {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m
}

func (s *tcpMapState) set(m tcpMapping) {
	s.mu.Lock()
	s.m = m
	s.mu.Unlock()
}

// judgeTCPMapping turns what peers at distinct IPs said into a verdict;
// says naming one of our own addresses (a peer on our LAN, no NAT between)
// tell nothing about the NAT and are left out.
func judgeTCPMapping(says []netip.AddrPort, own func(netip.Addr) bool) tcpMapping {
	count := map[netip.AddrPort]int{}
	var kept []netip.AddrPort
	for _, s := range says {
		if !s.IsValid() || own(s.Addr()) {
			continue
		}
		kept = append(kept, s)
		count[s]++
	}
	m := tcpMapping{Mapping: tcpMappingUnknown, Observers: len(kept), At: time.Now()}
	switch {
	case len(kept) == 0:
	case len(kept) == 1:
		m.External = kept[0] // a hint
	default:
		best := kept[0]
		for _, s := range kept {
			if count[s] > count[best] {
				best = s
			}
		}
		if count[best] >= 2 {
			m.External, m.Agreed, m.Mapping = best, true, tcpMappingIndependent
		} else {
			m.Mapping = tcpMappingDependent
		}
	}
	return m
}

// tcpCheckTargets are the listen addresses of up to tcpCheckPeers peers
// we dialed, one per IP. Only those: a peer that dialed us may be checking
// its own port toward us at the same moment, from its listen port to ours,
// and two such dials meet as one TCP simultaneous open that neither side's
// handshake expects.
func tcpCheckTargets(links []link.LinkInfo) []netip.AddrPort {
	var out []netip.AddrPort
	var ips []netip.Addr
	for _, l := range links {
		a := netip.AddrPortFrom(l.Remote.Addr().Unmap(), l.Remote.Port())
		if l.Inbound || l.Retiring || !a.IsValid() || a.Port() == 0 || slices.Contains(ips, a.Addr()) {
			continue
		}
		ips = append(ips, a.Addr())
		out = append(out, a)
		if len(out) == tcpCheckPeers {
			return out
		}
	}
	return out
}

// checkTCPMapping dials the targets from the listen port at once and judges.
func (o *overlayPart) checkTCPMapping(ctx context.Context, targets []netip.AddrPort) tcpMapping {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: o.listenIP(), Port: int(o.listen.Port())}, Control: reuseport.Control}
	says := make([]netip.AddrPort, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, tcpCheckTimeout)
			defer cancel()
			p, err := o.net.ProbeVia(pctx, t, d)
			if err != nil {
				o.log.Debug("TCP port check: no answer", "peer", t, "err", err)
				return
			}
			says[i] = p.Observed
		})
	}
	wg.Wait()
	return judgeTCPMapping(says, isOwnAddr)
}

// listenIP is the listen address's IP, or nil when it is unspecified.
func (o *overlayPart) listenIP() net.IP {
	if a := o.listen.Addr(); a.IsValid() && !a.IsUnspecified() {
		return a.AsSlice()
	}
	return nil
}

// isOwnAddr reports whether a is one of this host's interface addresses.
func isOwnAddr(a netip.Addr) bool { return slices.Contains(ownAddrs(), a.Unmap()) }

// tcpMapLoop checks the TCP mapping once links exist, retries while fewer
// than two peers answered, and re-checks every few minutes after.
func (o *overlayPart) tcpMapLoop(ctx context.Context) {
	if o.listen.Port() == 0 {
		return
	}
	wait := tcpCheckFirst
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if o.openFiltering() {
			// Anyone may reach a mapped port (or no NAT filters): peers
			// dial the listen port, and dials from it would only keep a
			// full cone's mapping open, which looks like reachability a
			// node must not publish as an entry point.
			wait = tcpCheckEvery
			continue
		}
		targets := tcpCheckTargets(o.net.Links())
		if len(targets) == 0 {
			wait = tcpCheckFirst
			continue
		}
		m := o.checkTCPMapping(ctx, targets)
		if ctx.Err() != nil {
			return
		}
		prev := o.tcpMap.get()
		o.tcpMap.set(m)
		if m.External != prev.External || m.Mapping != prev.Mapping {
			o.log.Info("TCP port mapping", "listen_port", o.listen.Port(), "external", m.External,
				"mapping", m.Mapping, "observers", m.Observers, "agreed", m.Agreed)
		}
		wait = tcpCheckEvery
		if m.Observers < 2 {
			wait = tcpCheckRetry
		}
	}
}

// openFiltering reports whether the UDP classification found filtering
// that admits anyone (a full cone, a forwarded port, no NAT).
func (o *overlayPart) openFiltering() bool {
	p := o.n.nat
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.report != nil && p.report.Filtering == stun.FilteringIndependent
}
