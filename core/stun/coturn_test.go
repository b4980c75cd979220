//go:build linux

package stun_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tincan/core/stun"
	"tincan/natlab"
)

// coturnPort and coturnAltPort are the ports coturn's turnserver listens
// on, on each of its two addresses.
const (
	coturnPort    = 3478
	coturnAltPort = 3479
)

// coturnBehaviour is how turnutils_natdiscovery names a behaviour, read
// from lines such as "NAT with Address and Port Dependent Mapping!".
var coturnBehaviour = regexp.MustCompile(`(Endpoint Independent|Address and Port Dependent|Address Dependent) (Mapping|Filtering)`)

// coturnNames are tincan's names for coturn's.
var coturnNames = map[string]string{
	"Endpoint Independent Mapping":         string(stun.MappingIndependent),
	"Address Dependent Mapping":            string(stun.MappingAddressDependent),
	"Address and Port Dependent Mapping":   string(stun.MappingAddressPortDependent),
	"Endpoint Independent Filtering":       string(stun.FilteringIndependent),
	"Address Dependent Filtering":          string(stun.FilteringAddress),
	"Address and Port Dependent Filtering": string(stun.FilteringAddressPort),
}

// TestClassifyAgreesWithCoturn runs coturn's turnserver (RFC 5780 on, two
// addresses, an alternate port) as the only STUN server, and behind each
// of the lab's full-cone, address-restricted, port-restricted and
// symmetric NATs, and the port-changing one (from ports in its mapped
// range), classifies with coturn's turnutils_natdiscovery and with tincan's
// classifier: both must name the mapping and the filtering alike, and as
// the kind is built.
func TestClassifyAgreesWithCoturn(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test builds network namespaces and kernel NATs: run it as root, as CI does")
	}
	for _, tool := range []string{"turnserver", "turnutils_natdiscovery"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: install Debian's coturn package (scripts/deps.sh does): %v", tool, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	kinds := []natlab.Kind{natlab.FullCone, natlab.AddressRestricted, natlab.PortRestricted, natlab.SymmetricRandom, natlab.PortChanging}
	lab, err := natlab.New(ctx, natlab.Options{Kinds: kinds, SitesPerKind: 1,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	ns, ips, err := lab.AddPublicHost(ctx, "coturn", 2)
	if err != nil {
		t.Fatal(err)
	}
	server := netip.AddrPortFrom(ips[0], coturnPort)
	logPath := filepath.Join(lab.Dir, "turnserver.log")
	if _, err := lab.Start(ns, logPath, "turnserver", "-n", "--stun-only", "--no-cli", "--no-tls", "--no-dtls",
		"-L", ips[0].String(), "-L", ips[1].String(),
		"--listening-port", fmt.Sprint(coturnPort), "--alt-listening-port", fmt.Sprint(coturnAltPort),
		"--log-file", "stdout", "--pidfile", filepath.Join(lab.Dir, "turnserver.pid")); err != nil {
		t.Fatal(err)
	}
	if err := waitForServer(ctx, lab.Sites[0], server); err != nil {
		log, _ := os.ReadFile(logPath)
		t.Fatalf("coturn did not answer: %v; its log:\n%s", err, log)
	}
	t.Logf("lab and coturn at %s and %s up in %v", ips[0], ips[1], time.Since(start).Round(time.Millisecond))

	want := map[natlab.Kind][2]string{
		natlab.FullCone:          {string(stun.MappingIndependent), string(stun.FilteringIndependent)},
		natlab.AddressRestricted: {string(stun.MappingIndependent), string(stun.FilteringAddress)},
		natlab.PortRestricted:    {string(stun.MappingIndependent), string(stun.FilteringAddressPort)},
		natlab.SymmetricRandom:   {string(stun.MappingAddressPortDependent), string(stun.FilteringAddressPort)},
		natlab.PortChanging:      {string(stun.MappingIndependent), string(stun.FilteringAddressPort)},
	}
	var wg sync.WaitGroup
	for _, site := range lab.Sites {
		wg.Go(func() {
			// Behind the port-changing NAT only ports in its mapped range
			// keep one mapping; the others go out fully random.
			theirPort, ourPort := 0, 0
			if site.Kind == natlab.PortChanging {
				theirPort, ourPort = natlab.PortChangeFirst+2, natlab.PortChangeFirst+3
			}
			theirs, out, err := coturnClassify(ctx, site, theirPort, server)
			if err != nil {
				t.Errorf("%s: turnutils_natdiscovery: %v\n%s", site.Name, err, out)
				return
			}
			r, err := classifyFromPort(ctx, site, ourPort, []netip.AddrPort{server}, nil)
			if err != nil {
				t.Errorf("%s: tincan's classifier: %v", site.Name, err)
				return
			}
			ours := [2]string{string(r.MappingDetail), string(r.Filtering)}
			t.Logf("%-6s %-20s coturn: %s / %s; tincan: %s / %s (%s, type %s)", site.Name, site.Kind,
				theirs[0], theirs[1], ours[0], ours[1], r.Method, r.Type)
			w := want[site.Kind]
			if theirs != w {
				t.Errorf("%s (%s): coturn says mapping %s, filtering %s; the lab's NAT is built as %s / %s; its output:\n%s",
					site.Name, site.Kind, theirs[0], theirs[1], w[0], w[1], out)
			}
			if ours != w || r.Method != stun.MethodRFC5780 {
				t.Errorf("%s (%s): tincan says mapping %s, filtering %s by method %s; want %s / %s by %s (probes: %q)",
					site.Name, site.Kind, ours[0], ours[1], r.Method, w[0], w[1], stun.MethodRFC5780, r.Probes)
			}
			if ourPort != 0 && r.External.Port() != uint16(ourPort+natlab.PortChangeShift) {
				t.Errorf("%s: external port %d from local port %d, want the port-changing NAT's %d",
					site.Name, r.External.Port(), ourPort, ourPort+natlab.PortChangeShift)
			}
			if ours != theirs {
				t.Errorf("%s (%s): tincan (%s / %s) and coturn (%s / %s) disagree", site.Name, site.Kind,
					ours[0], ours[1], theirs[0], theirs[1])
			}
		})
	}
	wg.Wait()
	t.Logf("classified %d sites both ways in %v in all", len(lab.Sites), time.Since(start).Round(time.Millisecond))
}

// coturnClassify runs turnutils_natdiscovery -m -f against server on the
// site's host (from local port port, if not 0) and reads its mapping and
// filtering verdicts.
func coturnClassify(ctx context.Context, site *natlab.Site, port int, server netip.AddrPort) ([2]string, []byte, error) {
	var got [2]string
	args := []string{"netns", "exec", site.Host, "turnutils_natdiscovery", "-m", "-f", "-p", fmt.Sprint(server.Port())}
	if port != 0 {
		args = append(args, "-L", site.HostIP.String(), "-l", fmt.Sprint(port))
	}
	cmd := exec.CommandContext(ctx, "ip", append(args, server.Addr().String())...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return got, out, err
	}
	for _, m := range coturnBehaviour.FindAllStringSubmatch(string(out), -1) {
		name := coturnNames[m[1]+" "+m[2]]
		if m[2] == "Mapping" {
			got[0] = name
		} else {
			got[1] = name
		}
	}
	if got[0] == "" || got[1] == "" {
		return got, out, fmt.Errorf("no mapping or filtering verdict in its output (%q)", strings.Join(got[:], ", "))
	}
	return got, out, nil
}

// waitForServer polls server with Binding requests from the site's host
// until one is answered.
func waitForServer(ctx context.Context, site *natlab.Site, server netip.AddrPort) error {
	return natlab.Do(site.Host, func() error {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{})
		if err != nil {
			return err
		}
		defer c.Close()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		var last error
		for wctx.Err() == nil {
			bctx, bcancel := context.WithTimeout(wctx, time.Second)
			_, last = stun.Binding(bctx, c, server)
			bcancel()
			if last == nil {
				return nil
			}
		}
		return last
	})
}
