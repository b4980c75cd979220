//go:build linux

package stun_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"tincan/core/stun"
	"tincan/natlab"
)

// nodePort is the port the lab's server nodes serve on, as a node would.
const nodePort = 7448

// labServer is a STUN server node inside a lab host: its primary socket on
// nodePort, an alternate socket on nodePort+1, both read by muxes.
type labServer struct {
	addr netip.AddrPort
	srv  *stun.Server
}

// startLabServer opens the node's sockets inside ns and serves STUN on them
// until the test ends, bound to bind (unspecified: every address).
func startLabServer(t *testing.T, ns string, ip, bind netip.Addr) *labServer {
	t.Helper()
	var conn, alt *net.UDPConn
	err := natlab.Do(ns, func() (err error) {
		if conn, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(bind, nodePort))); err != nil {
			return err
		}
		alt, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(bind, nodePort+1)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &labServer{addr: netip.AddrPortFrom(ip, nodePort)}
	s.srv = stun.NewServer(conn, stun.ServerOptions{Alt: alt})
	mux := stun.NewMux(conn, stun.MuxOptions{Server: s.srv})
	altMux := stun.NewMux(alt, stun.MuxOptions{}) // drains the alternate socket
	t.Cleanup(func() {
		mux.Close()
		altMux.Close()
		conn.Close()
		alt.Close()
	})
	return s
}

// TestClassifyNATLab classifies the NAT of every kind of lab site against
// two server nodes (the entry host and a public site, each the other's
// partner), and once against the lab's own plain STUN servers.
func TestClassifyNATLab(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("natlab builds network namespaces and kernel NATs: run this test as root, as CI does")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	lab, err := natlab.New(ctx, natlab.Options{
		Kinds: []natlab.Kind{natlab.Public, natlab.FullCone, natlab.AddressRestricted,
			natlab.PortRestricted, natlab.SymmetricRandom, natlab.SymmetricSequential},
		SitesPerKind: 1,
		Logger:       slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	t.Logf("lab of %d sites built in %v", len(lab.Sites), time.Since(start).Round(time.Millisecond))

	pub := lab.SitesOf(natlab.Public)[0]
	entry := startLabServer(t, lab.Entry.Host, lab.Entry.HostIP, netip.IPv4Unspecified())
	second := startLabServer(t, pub.Host, pub.HostIP, netip.IPv4Unspecified())
	servers := []netip.AddrPort{entry.addr, second.addr}
	// The partner every client links to: at a WAN address no client sends
	// UDP to, it sends change-IP answers to the client's own WAN address.
	partner := startLabServer(t, lab.WAN, lab.Third, lab.Third)

	want := map[natlab.Kind]struct {
		mapping   stun.Mapping
		filtering stun.Filtering
		typ       stun.NATType
	}{
		natlab.Public:              {stun.MappingNone, stun.FilteringIndependent, stun.TypeNone},
		natlab.FullCone:            {stun.MappingIndependent, stun.FilteringIndependent, stun.TypeFullCone},
		natlab.AddressRestricted:   {stun.MappingIndependent, stun.FilteringAddress, stun.TypeAddressRestricted},
		natlab.PortRestricted:      {stun.MappingIndependent, stun.FilteringAddressPort, stun.TypePortRestricted},
		natlab.SymmetricRandom:     {stun.MappingDependent, stun.FilteringAddressPort, stun.TypeSymmetric},
		natlab.SymmetricSequential: {stun.MappingDependent, stun.FilteringAddressPort, stun.TypeSymmetric},
	}
	clients := append([]*natlab.Site{lab.Entry}, lab.Sites...)
	var wg sync.WaitGroup
	classStart := time.Now()
	for _, site := range clients {
		wg.Go(func() {
			r, err := classifyFrom(ctx, site, servers, &labProber{t: t, site: site, partners: []*labServer{partner}})
			if err != nil {
				t.Errorf("%s: %v", site.Name, err)
				return
			}
			t.Logf("%-6s %-20s external %-21s mapping %-20s filtering %-26s type %s",
				site.Name, site.Kind, r.External, r.Mapping, r.Filtering, r.Type)
			w := want[site.Kind]
			if r.Mapping != w.mapping || r.Filtering != w.filtering || r.Type != w.typ {
				t.Errorf("%s (%s): %s / %s / %s, want %s / %s / %s", site.Name, site.Kind,
					r.Mapping, r.Filtering, r.Type, w.mapping, w.filtering, w.typ)
			}
			if r.External.Addr() != site.WANIP {
				t.Errorf("%s: external address %s, want the site's WAN address %s", site.Name, r.External, site.WANIP)
			}
		})
	}
	// Through the lab's plain STUN servers (no CHANGE-REQUEST support) the
	// mapping is still found, and filtering is honestly unknown.
	pr := lab.SitesOf(natlab.PortRestricted)[0]
	wg.Go(func() {
		r, err := classifyFrom(ctx, pr, lab.STUN[:], nil)
		if err != nil {
			t.Errorf("%s via plain servers: %v", pr.Name, err)
			return
		}
		t.Logf("%s via the lab's plain STUN servers: mapping %s, filtering %s, type %s", pr.Name, r.Mapping, r.Filtering, r.Type)
		if r.Mapping != stun.MappingIndependent || r.Filtering != stun.FilteringUnknown || r.Type != stun.TypeUnknown {
			t.Errorf("%s via plain servers: %s / %s / %s, want endpoint-independent / unknown / unknown",
				pr.Name, r.Mapping, r.Filtering, r.Type)
		}
	})
	// A node that was a partner for the second server's node (it sent a
	// probe to that address from its own port, opening its NAT for it)
	// still finds its port-restricted NAT: that node is not asked for a
	// change-IP answer (it would come through our hole), the next
	// partner's answer is blocked, and the change-port probe agrees.
	wg.Go(func() {
		r, err := classifyAfterProbe(ctx, pr, servers, servers[1],
			&labProber{t: t, site: pr, partners: []*labServer{second, partner}})
		if err != nil {
			t.Errorf("%s after a partner probe: %v", pr.Name, err)
			return
		}
		t.Logf("%s after a partner probe to %s: %s / %s / %s %q", pr.Name, servers[1], r.Mapping, r.Filtering, r.Type, r.Probes)
		if r.Type != stun.TypePortRestricted {
			t.Errorf("%s after sending a partner probe to %s: type %s, want port-restricted (probes: %q)",
				pr.Name, servers[1], r.Type, r.Probes)
		}
	})
	wg.Wait()
	t.Logf("classified %d sites in %v", len(clients)+2, time.Since(classStart).Round(time.Millisecond))
}

// classifyAfterProbe classifies from the site's host as a node does (a
// server and a client on one socket) right after that socket sent a
// partner's probe to sentTo.
func classifyAfterProbe(ctx context.Context, site *natlab.Site, servers []netip.AddrPort, sentTo netip.AddrPort, prober stun.Prober) (stun.Report, error) {
	var r stun.Report
	err := natlab.Do(site.Host, func() error {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{})
		if err != nil {
			return err
		}
		defer c.Close()
		srv := stun.NewServer(c, stun.ServerOptions{})
		m := stun.NewMux(c, stun.MuxOptions{Server: srv, Prober: prober})
		defer m.Close()
		if err := srv.Probe(sentTo, stun.Asker{ID: "the node at " + sentTo.String(), IP: sentTo.Addr()}, [12]byte{1, 2, 3}); err != nil {
			return err
		}
		if r, err = m.Classify(ctx, servers); err != nil {
			return fmt.Errorf("classify: %w", err)
		}
		return nil
	})
	return r, err
}

// classifyFrom classifies a fresh socket (bound to every address, as a
// node's is) on the site's host, inside its namespace.
func classifyFrom(ctx context.Context, site *natlab.Site, servers []netip.AddrPort, prober stun.Prober) (stun.Report, error) {
	return classifyFromPort(ctx, site, 0, servers, prober)
}

// classifyFromPort is classifyFrom on a socket bound to port (0: any).
func classifyFromPort(ctx context.Context, site *natlab.Site, port int, servers []netip.AddrPort, prober stun.Prober) (stun.Report, error) {
	var r stun.Report
	err := natlab.Do(site.Host, func() error {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{Port: port})
		if err != nil {
			return err
		}
		defer c.Close()
		m := stun.NewMux(c, stun.MuxOptions{Prober: prober})
		defer m.Close()
		if r, err = m.Classify(ctx, servers); err != nil {
			return fmt.Errorf("classify: %w", err)
		}
		return nil
	})
	return r, err
}

// labProber is a lab site's links to partner servers: each sees the site's
// link come from its WAN address, as a peer it linked to would.
type labProber struct {
	t        *testing.T
	site     *natlab.Site
	partners []*labServer
}

func (p *labProber) Partners() []netip.Addr {
	var out []netip.Addr
	for _, s := range p.partners {
		out = append(out, s.addr.Addr())
	}
	return out
}

func (p *labProber) AskProbe(ip netip.Addr, mapped netip.AddrPort, id [12]byte) bool {
	for _, s := range p.partners {
		if s.addr.Addr() == ip {
			if err := s.srv.Probe(mapped, stun.Asker{ID: p.site.Name, IP: p.site.WANIP}, id); err != nil {
				p.t.Errorf("%s: partner probe: %v", p.site.Name, err)
			}
			return true
		}
	}
	return false
}
