package node

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"sync"

	"tincan/core/overlay"
	"tincan/core/stun"
)

// natPart answers STUN on the node's UDP port (the TCP port's number) and
// finds out what NAT the node sits behind, asking its overlay peers.
type natPart struct {
	n      *Node
	extra  []netip.AddrPort // --stun servers
	conn   *net.UDPConn     // the listen port
	alt    *net.UDPConn     // another port, for "change port" answers; nil if none
	server *stun.Server
	mux    *stun.Mux
	altMux *stun.Mux

	mu     sync.Mutex
	report *stun.Report
	err    string
}

// startNAT opens the UDP sockets and starts answering and classifying. A
// port already taken on UDP only costs the detection; it is logged.
func (n *Node) startNAT(ctx context.Context, wg *sync.WaitGroup, stunServers []string) {
	if n.ln == nil {
		return
	}
	var extra []netip.AddrPort
	for _, s := range stunServers {
		a, err := netip.ParseAddrPort(s)
		if err != nil {
			n.log.Warn("STUN server ignored: not IP:port", "server", s)
			continue
		}
		extra = append(extra, a)
	}
	ap := n.ln.Addr().(*net.TCPAddr).AddrPort()
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(ap))
	if err != nil {
		n.log.Warn("no UDP on the listen port: no STUN answers or NAT detection", "err", err)
		return
	}
	p := &natPart{n: n, conn: conn, extra: extra}
	// The "change port" socket: any free port (port+1 may be the LAN
	// beacons' 7449, or someone else's).
	if alt, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ap.Addr(), 0))); err == nil {
		p.alt = alt
	}
	p.server = stun.NewServer(conn, stun.ServerOptions{Alt: p.alt, Logger: n.log.With("part", "stun")})
	p.mux = stun.NewMux(conn, stun.MuxOptions{Server: p.server, Prober: p})
	if p.alt != nil {
		p.altMux = stun.NewMux(p.alt, stun.MuxOptions{}) // drains what arrives there
	}
	n.nat = p
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.run(ctx)
	}()
}

// servers are the STUN servers to ask, one per IP: first the --stun
// servers (configured on purpose; one that offers RFC 5780's OTHER-ADDRESS
// classifies the NAT on its own, and the classifier looks for it in the
// first server that answers), then at most four overlay peers: the remote
// ends of links we dialed (their UDP port is the TCP port they listen on,
// and they answered us), then the listen addresses of peers that dialed us
// (a reachable node has few links of its own making; a peer behind a NAT
// may not answer). Six in all at most.
func (p *natPart) servers() (out []netip.AddrPort) {
	var ips []netip.Addr
	for _, a := range p.extra {
		if len(out) < 2 && !slices.Contains(ips, a.Addr()) {
			ips = append(ips, a.Addr())
			out = append(out, a)
		}
	}
	ov := p.n.ov
	if ov == nil {
		return out
	}
	peers := 0
	links := ov.net.Links()
	for _, inbound := range []bool{false, true} {
		for _, l := range links {
			a := l.Remote
			if inbound {
				a = l.Advertised
			}
			a = netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
			if l.Inbound != inbound || l.Retiring || !a.IsValid() || a.Port() == 0 || slices.Contains(ips, a.Addr()) {
				continue
			}
			ips = append(ips, a.Addr())
			out = append(out, a)
			if peers++; peers == 4 {
				return out
			}
		}
	}
	return out
}

func (p *natPart) setResult(rep *stun.Report, errText string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if rep != nil || p.report == nil {
		p.report = rep
	}
	p.err = errText
}

// Partners lists the IP addresses of linked peers that can send us a
// change-IP answer: peers we dialed first (our NAT holds no TCP mapping of
// our listen port toward them: a NAT that filters by address over both
// protocols would let their answer in), then peers that dialed us. Our own
// addresses are left out. It is the stun.Prober the mux classifies with.
func (p *natPart) Partners() []netip.Addr {
	ov := p.n.ov
	if ov == nil {
		return nil
	}
	self := p.selfIPs()
	links := ov.net.Links()
	var out []netip.Addr
	for _, inbound := range []bool{false, true} {
		for _, l := range links {
			ip := l.Remote.Addr().Unmap()
			if l.Inbound != inbound || l.Retiring || !ip.IsValid() || slices.Contains(self, ip) || slices.Contains(out, ip) {
				continue
			}
			out = append(out, ip)
		}
	}
	return out
}

// selfIPs are our own addresses: the bound one and the detected external one.
func (p *natPart) selfIPs() []netip.Addr {
	self := []netip.Addr{p.conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()}
	p.mu.Lock()
	if p.report != nil && p.report.External.IsValid() {
		self = append(self, p.report.External.Addr().Unmap())
	}
	p.mu.Unlock()
	return self
}

// AskProbe asks a linked peer at ip, over the authenticated overlay link,
// to send a binding answer with transaction ID id to mapped, our own
// address as a STUN server saw it (the peer refuses unless its IP is the
// one our link comes from). It never blocks: the link layer queues.
func (p *natPart) AskProbe(ip netip.Addr, mapped netip.AddrPort, id [12]byte) bool {
	ov := p.n.ov
	if ov == nil {
		return false
	}
	var to *overlay.Peer
	for _, l := range ov.net.Links() {
		if l.Retiring || l.Remote.Addr().Unmap() != ip {
			continue
		}
		if to == nil || !l.Inbound {
			to = &overlay.Peer{GUID: l.GUID, Addr: l.Remote}
		}
	}
	if to == nil {
		return false
	}
	p.n.log.Debug("change-IP answer asked of a partner", "partner", to.GUID.Short(), "partner_addr", to.Addr, "to", mapped)
	ov.net.Send(*to, &overlay.ProbeRequest{To: mapped, Transaction: id})
	return true
}

// probe answers a peer's ProbeRequest: one binding answer from our address,
// only to the IP address the peer's link comes from (from.Addr is the
// link's authenticated remote end), rate limited per peer and per
// destination by the server. It runs under the overlay's lock.
func (p *natPart) probe(from overlay.Peer, m *overlay.ProbeRequest) {
	asker := stun.Asker{ID: string(from.GUID[:]), IP: from.Addr.Addr()}
	if err := p.server.Probe(m.To, asker, m.Transaction); err != nil {
		p.n.log.Debug("partner probe not sent", "to", m.To, "for", from.GUID.Short(), "peer_addr", from.Addr, "err", err)
		return
	}
	p.n.log.Debug("partner probe sent", "to", m.To, "for", from.GUID.Short())
}

// natStatus is what the node knows of its NAT: the detection, the mapped ports.
func (n *Node) natStatus() *NATStatus {
	m := n.mappings()
	var st *NATStatus
	if p := n.nat; p != nil {
		p.mu.Lock()
		rep, errText := p.report, p.err
		p.mu.Unlock()
		switch {
		case rep != nil:
			answered := 0
			for _, a := range rep.Mapped {
				if a.IsValid() {
					answered++
				}
			}
			defer func() {
				if st != nil && st.UDP != nil {
					st.UDP.Observers = answered
				}
			}()
			st = &NATStatus{Type: string(rep.Type), Mapping: string(rep.Mapping), Filtering: string(rep.Filtering), External: rep.External.String(),
				Method: string(rep.Method), MappingDetail: string(rep.MappingDetail)}
		case errText != "":
			st = &NATStatus{Type: "unknown", Error: errText}
		}
	}
	if len(m) > 0 {
		if st == nil {
			st = &NATStatus{Type: "unknown"}
		}
		st.Mapped = m
	}
	if n.ov != nil {
		if t := n.ov.tcpMap.get(); !t.At.IsZero() {
			if st == nil {
				st = &NATStatus{Type: "unknown"}
			}
			st.TCP = &PortStatus{Mapping: t.Mapping, Observers: t.Observers, Confirmed: t.Agreed}
			if t.External.IsValid() {
				st.TCP.External = t.External.String()
			}
		}
	}
	if st != nil && st.External != "" && st.External != "invalid AddrPort" {
		st.UDP = &PortStatus{External: st.External, Mapping: st.Mapping, Confirmed: st.Mapping == string(stun.MappingIndependent)}
	}
	return st
}
