//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	"tincan/core/discovery"
	"tincan/core/discovery/cftest"
	"tincan/natlab"
)

// The lab's DDNS: a faithful fake of Cloudflare's records API served
// inside the public segment, so that every daemon may try to become an
// entry point the way a real one would.
const (
	labZone      = "lab.example"
	labEntryName = "entry.lab.example"
	labToken     = "natlab-token-0123456789abcdef0123456789abcdef"
	labAPIPort   = 8080
)

// ddns is the fake and the flags that point daemons at it.
type ddns struct {
	cf   *cftest.Server
	args []string
}

// startDDNS serves the fake API on the WAN gateway address and sets the
// token in the environment the daemons inherit.
func startDDNS(lab *natlab.Lab) (*ddns, error) {
	var ln net.Listener
	addr := netip.AddrPortFrom(lab.STUN[0].Addr(), labAPIPort)
	err := natlab.Do(lab.WAN, func() error {
		var err error
		ln, err = net.Listen("tcp", addr.String())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fake Cloudflare API in the lab: %w", err)
	}
	if err := os.Setenv(discovery.TokenEnv, labToken); err != nil {
		ln.Close()
		return nil, err
	}
	cf := cftest.NewServerOn(ln, labToken, labZone)
	url := "http://" + addr.String() + cftest.BasePath
	return &ddns{cf: cf, args: []string{"--entry-name", labEntryName, "--entry-zone", labZone,
		"--cloudflare-api", url, "--entry-interval", "3s",
		// The lab's "internet" is RFC 2544's benchmarking range, which is
		// not globally routable: allowed on purpose, as an operator would
		// allow a private deployment's range.
		"--entry-allow", "198.18.0.0/15"}}, nil
}

// mustQualify says whether a node behind kind k must become an entry point
// candidate (reachable from anyone) or must never (unreachable); fc and ar
// nodes are reachable from some peers once their mapping exists, so either
// answer is accepted for them.
func mustQualify(k natlab.Kind) (qualify, strict bool) {
	switch k {
	case natlab.Public, natlab.PortForward, natlab.UPnP:
		return true, true
	case natlab.PortRestricted, natlab.PortChanging, natlab.SymmetricRandom, natlab.SymmetricSequential:
		return false, true
	}
	return false, false
}

// checkEntries waits (up to d) for every node that must qualify to say
// candidate or entry, then prints each node's role and the published
// records, and returns how many nodes broke the rule or published an
// address no one can reach.
func checkEntries(ctx context.Context, lab *natlab.Lab, nodes map[string]*node, dd *ddns, d time.Duration, stdout io.Writer) int {
	roles := map[string]string{}
	deadline := time.Now().Add(d)
	for {
		pending := 0
		for _, s := range lab.Sites {
			if st, err := nodes[s.Name].status(ctx); err == nil && st.Overlay != nil {
				roles[s.Name] = st.Overlay.EntryRole
			}
			if q, strict := mustQualify(s.Kind); q && strict && roles[s.Name] != "candidate" && roles[s.Name] != "entry" {
				pending++
			}
		}
		if pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	fmt.Fprintln(stdout, "entry points (every node has DDNS credentials; only reachable ones may qualify):")
	wrong := 0
	for _, s := range lab.Sites {
		role := roles[s.Name]
		qualified := role == "candidate" || role == "entry"
		q, strict := mustQualify(s.Kind)
		mark := "ok"
		switch {
		case !strict:
			mark = "-"
		case q != qualified:
			mark, wrong = "WRONG", wrong+1
		}
		fmt.Fprintf(stdout, "  %-6s %-22s %-10s %s\n", s.Name, s.Kind, role, mark)
	}
	reachable := []netip.Addr{lab.Entry.WANIP}
	for _, s := range lab.Sites {
		if q, strict := mustQualify(s.Kind); q && strict {
			reachable = append(reachable, s.WANIP)
		}
	}
	recs := dd.cf.Records(labEntryName)
	fmt.Fprintf(stdout, "  %s has %d records:", labEntryName, len(recs))
	for _, r := range recs {
		fmt.Fprintf(stdout, " %s", r.Content)
		a, err := netip.ParseAddr(r.Content)
		switch {
		case err == nil && slices.Contains(reachable, a):
		case err == nil && conditional(lab, a) && answersFromWAN(lab, a):
			// A full cone (or address-restricted NAT) admits strangers
			// while the node's own traffic keeps its mapping alive: the
			// role is accepted either way, and the record is checked by
			// dialing it now; other entry points remove it once it stops
			// answering.
			fmt.Fprint(stdout, " (answers now: its NAT's mapping is alive)")
		default:
			fmt.Fprint(stdout, " (UNREACHABLE)")
			wrong++
		}
	}
	if len(recs) == 0 || len(recs) > 4 {
		fmt.Fprint(stdout, " (want 1 to 4)")
		wrong++
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout)
	return wrong
}

// conditional reports whether a is the WAN address of a site whose NAT
// admits strangers only while a mapping the node made lives (mustQualify's
// non-strict kinds).
func conditional(lab *natlab.Lab, a netip.Addr) bool {
	for _, s := range lab.Sites {
		if _, strict := mustQualify(s.Kind); !strict && s.WANIP == a {
			return true
		}
	}
	return false
}

// answersFromWAN dials a's entry port from the WAN, as a newcomer would.
func answersFromWAN(lab *natlab.Lab, a netip.Addr) bool {
	return natlab.Do(lab.WAN, func() error {
		c, err := net.DialTimeout("tcp", netip.AddrPortFrom(a, 7448).String(), 3*time.Second)
		if err != nil {
			return err
		}
		return c.Close()
	}) == nil
}
