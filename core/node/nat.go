package node

import (
	"context"
	"encoding/binary"
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
	p.server = stun.NewServer(conn, stun.ServerOptions{Alt: p.alt, Partner: stun.PartnerFunc(p.askPartner),
		Logger: n.log.With("part", "stun")})
	p.mux = stun.NewMux(conn, stun.MuxOptions{Server: p.server})
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

// servers are the STUN servers to ask, one per IP, at most four of them
// overlay peers: first the remote ends of links we dialed (their UDP port
// is the TCP port they listen on, and they answered us), then the listen
// addresses of peers that dialed us (a reachable node has few links of its
// own making; a peer behind a NAT may not answer), then the --stun servers.
func (p *natPart) servers() (out []netip.AddrPort) {
	var ips []netip.Addr
	defer func() {
		for _, a := range p.extra {
			if len(out) < 6 && !slices.Contains(ips, a.Addr()) {
				ips = append(ips, a.Addr())
				out = append(out, a)
			}
		}
	}()
	ov := p.n.ov
	if ov == nil {
		return nil
	}
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
			if len(out) == 4 {
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

// askPartner passes a "change IP" request to a linked peer at another IP,
// over the authenticated overlay link. It must not block. The partner
// follows from the transaction ID: a retransmission goes to the same
// partner, while a new request (an asker whose answer came through a hole
// of its own, as it sent to that partner lately, asks again) may go to
// another one, who can then give a real answer.
func (p *natPart) askPartner(to netip.AddrPort, id [12]byte) {
	ov := p.n.ov
	if ov == nil {
		return
	}
	self := []netip.Addr{p.conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()}
	p.mu.Lock()
	if p.report != nil && p.report.External.IsValid() {
		self = append(self, p.report.External.Addr().Unmap())
	}
	p.mu.Unlock()
	var partners []overlay.Peer
	for _, l := range ov.net.Links() {
		ip := l.Remote.Addr().Unmap()
		if l.Retiring || ip == to.Addr().Unmap() || slices.Contains(self, ip) {
			continue
		}
		partners = append(partners, overlay.Peer{GUID: l.GUID, Addr: l.Remote})
	}
	if len(partners) == 0 {
		p.n.log.Debug("change-IP request not passed on: no partner at another IP", "for", to)
		return
	}
	partner := partners[binary.BigEndian.Uint32(id[:4])%uint32(len(partners))]
	p.n.log.Debug("change-IP request passed on", "for", to, "partner", partner.GUID.Short(), "partner_addr", partner.Addr)
	// The link layer's Send queues and returns (it never blocks).
	ov.net.Send(partner, &overlay.ProbeRequest{To: to, Transaction: id})
}

// probe answers a peer's ProbeRequest: a binding answer from our address.
// It runs under the overlay's lock; the server rate-limits per destination.
func (p *natPart) probe(from overlay.Peer, m *overlay.ProbeRequest) {
	if err := p.server.Probe(m.To, m.Transaction); err != nil {
		p.n.log.Debug("partner probe not sent", "to", m.To, "for", from.GUID.Short(), "err", err)
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
			st = &NATStatus{Type: string(rep.Type), Mapping: string(rep.Mapping), Filtering: string(rep.Filtering), External: rep.External.String()}
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
	return st
}
