//go:build linux

package natlab

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// Probe timings: generous for a lab without loss or delay.
const (
	stunTries    = 3
	stunWait     = 500 * time.Millisecond
	unsolicited  = 600 * time.Millisecond // how long a host waits for packets it did not ask for
	dialTimeout  = 2 * time.Second
	closedDialTO = time.Second
)

// UPnPProbePort is the port a UPnP site maps, probes and unmaps again (not
// 7448, which a tincan node on that site must map for itself).
const UPnPProbePort = 17448

// ProbeAll probes every site at once and returns their behaviours in site order.
func (l *Lab) ProbeAll() []Behaviour {
	out := make([]Behaviour, len(l.Sites))
	var wg sync.WaitGroup
	for i, s := range l.Sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = l.Probe(s)
		}()
	}
	wg.Wait()
	return out
}

// Probe finds a site's mapping (UDP and TCP, against both STUN servers),
// UDP filtering (unsolicited packets from the first STUN server's address on
// another port, and from a third address) and whether a fixed public port
// is open to unsolicited UDP and TCP.
func (l *Lab) Probe(s *Site) Behaviour {
	b := Behaviour{Site: s.Name, Kind: s.Kind}
	if b.Err = l.probeUDP(s, &b); b.Err != nil {
		return b
	}
	if b.Err = l.probeTCP(s, &b); b.Err != nil {
		return b
	}
	b.Err = l.probeInbound(s, &b)
	return b
}

func (l *Lab) probeUDP(s *Site, b *Behaviour) error {
	var c *net.UDPConn
	err := Do(s.Host, func() (err error) {
		c, err = net.ListenUDP("udp4", &net.UDPAddr{Port: probePort(s.Kind)})
		return err
	})
	if err != nil {
		return fmt.Errorf("UDP probe socket in %s: %w", s.Name, err)
	}
	defer c.Close()
	b.Local = netip.AddrPortFrom(s.HostIP, c.LocalAddr().(*net.UDPAddr).AddrPort().Port())
	for i, srv := range l.STUN {
		if b.UDP[i], err = stunUDP(c, srv); err != nil {
			return fmt.Errorf("UDP STUN from %s: %w", s.Name, err)
		}
	}
	b.UDPMapping = classify(b.UDP[0], b.UDP[1])

	// Unsolicited packets to the first mapping: from the same address on
	// another port, and from an address the host never talked to.
	var samePort, third *net.UDPConn
	err = Do(l.WAN, func() (err error) {
		if samePort, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(l.STUN[0].Addr(), 0))); err != nil {
			return err
		}
		third, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(l.Third, 0)))
		return err
	})
	if samePort != nil {
		defer samePort.Close()
	}
	if third != nil {
		defer third.Close()
	}
	if err != nil {
		return fmt.Errorf("UDP prober sockets: %w", err)
	}
	if _, err := samePort.WriteToUDPAddrPort([]byte("from-same-address"), b.UDP[0]); err != nil {
		return fmt.Errorf("unsolicited UDP: %w", err)
	}
	if _, err := third.WriteToUDPAddrPort([]byte("from-third-address"), b.UDP[0]); err != nil {
		return fmt.Errorf("unsolicited UDP: %w", err)
	}
	got := receiveAll(c, unsolicited)
	switch {
	case got["from-third-address"]:
		b.Filtering = FilterIndependent
	case got["from-same-address"]:
		b.Filtering = FilterAddress
	default:
		b.Filtering = FilterAddressPort
	}
	return nil
}

// receiveAll collects the payloads that arrive on c within d.
func receiveAll(c *net.UDPConn, d time.Duration) map[string]bool {
	got := map[string]bool{}
	buf := make([]byte, 1500)
	_ = c.SetReadDeadline(time.Now().Add(d))
	for {
		n, _, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return got
		}
		got[string(buf[:n])] = true
	}
}

// probePort is the local port the UDP and TCP probes of a kind's site
// use: one inside the port-changing NAT's mapped range, else any (0).
func probePort(k Kind) int {
	if k == PortChanging {
		return portChangeProbe
	}
	return 0
}

// stunUDP asks a STUN server, through c, for c's mapped address.
func stunUDP(c *net.UDPConn, srv netip.AddrPort) (netip.AddrPort, error) {
	var id [12]byte
	_, _ = rand.Read(id[:])
	req := stunRequest(id)
	buf := make([]byte, stunMaxMessage+1)
	for range stunTries {
		if _, err := c.WriteToUDPAddrPort(req, srv); err != nil {
			return netip.AddrPort{}, fmt.Errorf("STUN to %s: %w", srv, err)
		}
		_ = c.SetReadDeadline(time.Now().Add(stunWait))
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				break
			}
			m, err := parseSTUN(buf[:n])
			if err != nil || from != srv || m.Type != stunBindingResp || !bytes.Equal(m.ID[4:], id[:]) {
				continue
			}
			if !m.Mapped.IsValid() {
				return netip.AddrPort{}, fmt.Errorf("STUN answer from %s without an address", srv)
			}
			return m.Mapped, nil
		}
	}
	return netip.AddrPort{}, fmt.Errorf("STUN to %s: no answer after %d tries", srv, stunTries)
}

// stunTCP asks a STUN server over an open TCP connection.
func stunTCP(c net.Conn) (netip.AddrPort, error) {
	var id [12]byte
	_, _ = rand.Read(id[:])
	_ = c.SetDeadline(time.Now().Add(dialTimeout))
	if _, err := c.Write(stunRequest(id)); err != nil {
		return netip.AddrPort{}, fmt.Errorf("STUN over TCP: %w", err)
	}
	m, err := readSTUN(c)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("STUN over TCP: %w", err)
	}
	if m.Type != stunBindingResp || !bytes.Equal(m.ID[4:], id[:]) || !m.Mapped.IsValid() {
		return netip.AddrPort{}, errors.New("STUN over TCP: not an answer to our request")
	}
	return m.Mapped, nil
}

// probeTCP opens two TCP flows from one local port, one to each STUN server.
func (l *Lab) probeTCP(s *Site, b *Behaviour) error {
	var conns [2]*net.TCPConn
	defer func() {
		for _, c := range conns {
			if c != nil {
				_ = c.SetLinger(0)
				c.Close()
			}
		}
	}()
	err := Do(s.Host, func() error {
		d := net.Dialer{Timeout: dialTimeout, Control: reusePort}
		if p := probePort(s.Kind); p != 0 {
			d.LocalAddr = &net.TCPAddr{Port: p}
		}
		for i, srv := range l.STUN {
			c, err := d.Dial("tcp4", srv.String())
			if err != nil {
				return fmt.Errorf("dial STUN %s: %w", srv, err)
			}
			conns[i] = c.(*net.TCPConn)
			if i == 0 {
				d.LocalAddr = &net.TCPAddr{Port: c.LocalAddr().(*net.TCPAddr).Port}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("TCP probe from %s: %w", s.Name, err)
	}
	b.TCPLocal = netip.AddrPortFrom(s.HostIP, uint16(conns[0].LocalAddr().(*net.TCPAddr).Port))
	for i, c := range conns {
		if b.TCP[i], err = stunTCP(c); err != nil {
			return fmt.Errorf("TCP probe from %s: %w", s.Name, err)
		}
	}
	b.TCPMapping = classify(b.TCP[0], b.TCP[1])
	return nil
}

// probeInbound listens on the site's probe port and sends unsolicited UDP
// and a TCP dial to its public address from a third WAN address. A UPnP
// site first maps the port through its gateway, and unmaps it after.
func (l *Lab) probeInbound(s *Site, b *Behaviour) error {
	port := uint16(7448)
	switch {
	case s.Kind == PortForward:
		port, b.InboundVia = s.Forward, "forward"
	case s.Kind == UPnP:
		port, b.InboundVia = UPnPProbePort, "upnp"
	}
	var ul *net.UDPConn
	var tl *net.TCPListener
	err := Do(s.Host, func() (err error) {
		if ul, err = net.ListenUDP("udp4", &net.UDPAddr{Port: int(port)}); err != nil {
			return err
		}
		tl, err = net.ListenTCP("tcp4", &net.TCPAddr{Port: int(port)})
		return err
	})
	if ul != nil {
		defer ul.Close()
	}
	if tl != nil {
		defer tl.Close()
	}
	if err != nil {
		return fmt.Errorf("inbound probe listeners in %s: %w", s.Name, err)
	}
	if s.Kind == UPnP {
		unmap, err := l.upnpMap(s, port)
		if err != nil {
			return err
		}
		defer unmap()
	}

	target := netip.AddrPortFrom(s.WANIP, port)
	accepted := make(chan bool, 1)
	go func() {
		_ = tl.SetDeadline(time.Now().Add(closedDialTO + unsolicited))
		c, err := tl.Accept()
		if err == nil {
			c.Close()
		}
		accepted <- err == nil
	}()
	var dialErr error
	err = Do(l.WAN, func() error {
		u, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(l.Third, 0)))
		if err != nil {
			return err
		}
		defer u.Close()
		if _, err := u.WriteToUDPAddrPort([]byte("inbound"), target); err != nil {
			return err
		}
		d := net.Dialer{Timeout: closedDialTO, LocalAddr: &net.TCPAddr{IP: l.Third.AsSlice()}}
		c, err := d.Dial("tcp4", target.String())
		if err == nil {
			c.Close()
		}
		dialErr = err
		return nil
	})
	if err != nil {
		return fmt.Errorf("inbound probe to %s: %w", s.Name, err)
	}
	udpOK := receiveAll(ul, unsolicited)["inbound"]
	tcpOK := <-accepted && dialErr == nil
	switch {
	case udpOK && tcpOK:
		b.Inbound = InboundOpen
	case udpOK:
		b.Inbound = InboundUDP
	case tcpOK:
		b.Inbound = InboundTCP
	default:
		b.Inbound = InboundClosed
	}
	return nil
}

// upnpMap maps port (UDP and TCP) to the site's host through its UPnP
// gateway, checks the gateway's idea of its public address, and returns
// the function that removes the mappings.
func (l *Lab) upnpMap(s *Site, port uint16) (func(), error) {
	g, err := DiscoverIGD(s.Host, 5*time.Second)
	if err != nil {
		log, _ := os.ReadFile(s.upnpLog)
		return nil, fmt.Errorf("UPnP discovery from %s: %w; miniupnpd says:\n%s", s.Name, err, tail(log, 15))
	}
	ext, err := g.ExternalIP(s.Host)
	if err != nil {
		return nil, fmt.Errorf("UPnP from %s: %w", s.Name, err)
	}
	if ext != s.WANIP {
		return nil, fmt.Errorf("UPnP gateway of %s says its address is %s, not %s", s.Name, ext, s.WANIP)
	}
	internal := netip.AddrPortFrom(s.HostIP, port)
	var done []string
	unmap := func() {
		for _, p := range done {
			if err := g.DeletePortMapping(s.Host, p, port); err != nil {
				l.log.Warn("UPnP unmap", "site", s.Name, "proto", p, "err", err)
			}
		}
	}
	for _, p := range []string{"UDP", "TCP"} {
		if err := g.AddPortMapping(s.Host, p, port, internal, "natlab probe"); err != nil {
			unmap()
			return nil, fmt.Errorf("UPnP map from %s: %w", s.Name, err)
		}
		done = append(done, p)
	}
	return unmap, nil
}
