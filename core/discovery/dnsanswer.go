package discovery

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// MaxEntryPoints bounds how many entry addresses one lookup returns.
const MaxEntryPoints = 64

// maxCNAMEChain bounds the CNAME hops followed inside one answer.
const maxCNAMEChain = 8

// maxDNSMessage bounds a DNS message we are willing to unpack.
const maxDNSMessage = 65535

// ErrNoEntryPoints means the entry name has no A or AAAA records.
var ErrNoEntryPoints = errors.New("no entry points published")

// parseAnswer unpacks a DNS response to a query for (qname, qtype) and
// returns the addresses it holds.
func parseAnswer(qname string, qtype uint16, wire []byte) ([]netip.Addr, error) {
	if len(wire) > maxDNSMessage {
		return nil, fmt.Errorf("DNS message is %d bytes, at most %d", len(wire), maxDNSMessage)
	}
	var m dns.Msg
	if err := m.Unpack(wire); err != nil {
		return nil, fmt.Errorf("unpack DNS answer: %w", err)
	}
	return answerAddrs(qname, qtype, &m)
}

// answerAddrs checks that m answers (qname, qtype) and returns the addresses
// of that type owned by qname or by the CNAME chain starting at it. An
// NXDOMAIN or empty answer is ErrNoEntryPoints.
func answerAddrs(qname string, qtype uint16, m *dns.Msg) ([]netip.Addr, error) {
	qname = dns.CanonicalName(qname)
	if !m.Response {
		return nil, errors.New("DNS message is not a response")
	}
	if len(m.Question) != 1 || dns.CanonicalName(m.Question[0].Name) != qname || m.Question[0].Qtype != qtype {
		return nil, fmt.Errorf("DNS response does not answer %s %s", qname, dns.TypeToString[qtype])
	}
	switch m.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, fmt.Errorf("%s %s: NXDOMAIN: %w", qname, dns.TypeToString[qtype], ErrNoEntryPoints)
	default:
		return nil, fmt.Errorf("%s %s: DNS server answered %s", qname, dns.TypeToString[qtype], rcodeName(m.Rcode))
	}
	// Follow the CNAME chain from qname inside the answer section.
	owners := map[string]bool{qname: true}
	cur := qname
	for range maxCNAMEChain {
		next := ""
		for _, rr := range m.Answer {
			if c, ok := rr.(*dns.CNAME); ok && dns.CanonicalName(c.Hdr.Name) == cur {
				next = dns.CanonicalName(c.Target)
				break
			}
		}
		if next == "" || owners[next] {
			break
		}
		owners[next] = true
		cur = next
	}
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	for _, rr := range m.Answer {
		if !owners[dns.CanonicalName(rr.Header().Name)] {
			continue
		}
		var a netip.Addr
		var ok bool
		switch r := rr.(type) {
		case *dns.A:
			if qtype != dns.TypeA {
				continue
			}
			a, ok = netip.AddrFromSlice(r.A.To4())
		case *dns.AAAA:
			if qtype != dns.TypeAAAA || r.AAAA.To4() != nil {
				continue
			}
			a, ok = netip.AddrFromSlice(r.AAAA.To16())
		default:
			continue
		}
		if !ok || !usableEntryAddr(a) || seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, a)
		if len(out) == MaxEntryPoints {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s %s: no records: %w", qname, dns.TypeToString[qtype], ErrNoEntryPoints)
	}
	return out, nil
}

func rcodeName(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// NormalizeDNSServer checks a --dns value, HOST or HOST:PORT, and returns
// HOST:PORT with port 53 when none is given.
func NormalizeDNSServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 300 {
		return "", fmt.Errorf("DNS server %q: want HOST or HOST:PORT", s)
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return "", fmt.Errorf("DNS server %q: port 0", s)
		}
		return ap.String(), nil
	}
	bare := s
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		bare = s[1 : len(s)-1]
	}
	if a, err := netip.ParseAddr(bare); err == nil {
		return netip.AddrPortFrom(a, 53).String(), nil
	}
	if strings.ContainsAny(s, "[]/ ") {
		return "", fmt.Errorf("DNS server %q: want HOST or HOST:PORT", s)
	}
	host, port, found := strings.Cut(s, ":")
	if !found {
		port = "53"
	}
	if host == "" || strings.Contains(port, ":") {
		return "", fmt.Errorf("DNS server %q: want HOST or HOST:PORT", s)
	}
	if _, ok := dns.IsDomainName(host); !ok {
		return "", fmt.Errorf("DNS server %q: %q is not a host name", s, host)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 || strconv.FormatUint(p, 10) != port {
		return "", fmt.Errorf("DNS server %q: bad port %q", s, port)
	}
	return host + ":" + port, nil
}
