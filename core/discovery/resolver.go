package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Resolver looks up the entry points published under an entry name.
type Resolver struct {
	Name    string        // the entry name, e.g. entry.tincan.example
	Port    uint16        // the port every entry point listens on
	Server  string        // DNS server HOST:PORT; "" uses the system resolver
	Timeout time.Duration // per lookup; 0 means 5 seconds
}

// Resolve returns the entry points (address and Port) published under Name,
// IPv4 first, or an error wrapping ErrNoEntryPoints when there are none.
func (r *Resolver) Resolve(ctx context.Context) ([]netip.AddrPort, error) {
	name := dns.CanonicalName(r.Name)
	if _, ok := dns.IsDomainName(name); !ok || name == "." {
		return nil, fmt.Errorf("resolve entry name %q: not a domain name", r.Name)
	}
	if r.Port == 0 {
		return nil, fmt.Errorf("resolve entry name %s: no entry port configured", r.Name)
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var addrs []netip.Addr
	var err error
	if r.Server == "" {
		addrs, err = lookupSystem(ctx, strings.TrimSuffix(name, "."))
	} else {
		addrs, err = r.lookupServer(ctx, name)
	}
	if err != nil {
		return nil, fmt.Errorf("resolve entry name %s: %w", strings.TrimSuffix(name, "."), err)
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	addrs = slices.Compact(addrs)
	if len(addrs) > MaxEntryPoints {
		addrs = addrs[:MaxEntryPoints]
	}
	out := make([]netip.AddrPort, len(addrs))
	for i, a := range addrs {
		out[i] = netip.AddrPortFrom(a, r.Port)
	}
	return out, nil
}

// lookupSystem asks the operating system's resolver.
func lookupSystem(ctx context.Context, name string) ([]netip.Addr, error) {
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", name)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return nil, fmt.Errorf("system resolver: %w", ErrNoEntryPoints)
	}
	if err != nil {
		return nil, fmt.Errorf("system resolver: %w", err)
	}
	var out []netip.Addr
	for _, a := range ips {
		if a = a.Unmap(); usableEntryAddr(a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("system resolver: %w", ErrNoEntryPoints)
	}
	return out, nil
}

// lookupServer queries r.Server for A and AAAA records in parallel; it fails
// only if both queries fail, and reports ErrNoEntryPoints only if both found none.
func (r *Resolver) lookupServer(ctx context.Context, name string) ([]netip.Addr, error) {
	qtypes := []uint16{dns.TypeA, dns.TypeAAAA}
	results := make([][]netip.Addr, len(qtypes))
	errs := make([]error, len(qtypes))
	var wg sync.WaitGroup
	for i, qt := range qtypes {
		wg.Go(func() { results[i], errs[i] = exchange(ctx, r.Server, name, qt) })
	}
	wg.Wait()
	var out []netip.Addr
	for _, rs := range results {
		out = append(out, rs...)
	}
	if len(out) > 0 {
		return out, nil
	}
	for _, err := range errs {
		if !errors.Is(err, ErrNoEntryPoints) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("no A or AAAA records via %s: %w", r.Server, ErrNoEntryPoints)
}

// exchange sends one query over UDP, and again over TCP if the answer was truncated.
func exchange(ctx context.Context, server, name string, qtype uint16) ([]netip.Addr, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, false)
	for _, network := range []string{"udp", "tcp"} {
		c := dns.Client{Net: network}
		in, _, err := c.ExchangeContext(ctx, m, server)
		if err != nil {
			return nil, fmt.Errorf("%s %s via %s/%s: %w", name, dns.TypeToString[qtype], server, network, err)
		}
		if in.Truncated && network == "udp" {
			continue
		}
		addrs, err := answerAddrs(name, qtype, in)
		if err != nil {
			return nil, fmt.Errorf("via %s: %w", server, err)
		}
		return addrs, nil
	}
	return nil, fmt.Errorf("%s %s via %s: truncated answer over TCP", name, dns.TypeToString[qtype], server)
}
