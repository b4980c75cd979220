package discovery

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// FuzzRecordContent checks that record content parsing never panics and
// returns only addresses of the record's family that round-trip.
func FuzzRecordContent(f *testing.F) {
	for _, s := range [][2]string{{"A", "192.0.2.1"}, {"AAAA", "2001:db8::1"}, {"AAAA", "::ffff:1.2.3.4"},
		{"A", "::1"}, {"TXT", "x"}, {"A", "1.2.3.4%eth0"}, {"AAAA", "fe80::1%eth0"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, typ, content string) {
		a, err := ParseRecordContent(typ, content)
		if err != nil {
			return
		}
		switch typ {
		case "A":
			if !a.Is4() {
				t.Fatalf("A %q gave %v", content, a)
			}
		case "AAAA":
			if !a.Is6() || a.Is4In6() {
				t.Fatalf("AAAA %q gave %v", content, a)
			}
		default:
			t.Fatalf("type %q accepted", typ)
		}
		if a.Zone() != "" || len(content) > maxContentLen {
			t.Fatalf("%q accepted as %v", content, a)
		}
		if b, err := ParseRecordContent(typ, a.String()); err != nil || b != a {
			t.Fatalf("%v does not round-trip: %v, %v", a, b, err)
		}
	})
}

// FuzzDNSAnswer checks that DNS answer handling never panics and returns
// only distinct, usable addresses of the queried family, within the limit.
func FuzzDNSAnswer(f *testing.F) {
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(testEntry), qt)
		r := new(dns.Msg)
		r.SetReply(m)
		hdr := dns.RR_Header{Name: dns.Fqdn(testEntry), Class: dns.ClassINET, Ttl: 60}
		r.Answer = append(r.Answer, &dns.CNAME{Hdr: hdrOf(hdr, dns.TypeCNAME), Target: "x.tincan.example."})
		hdr.Name = "x.tincan.example."
		r.Answer = append(r.Answer, &dns.A{Hdr: hdrOf(hdr, dns.TypeA), A: net.IPv4(192, 0, 2, 1)})
		r.Answer = append(r.Answer, &dns.AAAA{Hdr: hdrOf(hdr, dns.TypeAAAA), AAAA: net.ParseIP("2001:db8::1")})
		b, err := r.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, qt == dns.TypeA)
		r.Answer = nil
		r.Rcode = dns.RcodeNameError
		if b, err = r.Pack(); err != nil {
			f.Fatal(err)
		}
		f.Add(b, qt == dns.TypeA)
	}
	f.Add([]byte{0, 1, 0x81, 0x80, 0, 1, 0, 1}, true)
	f.Fuzz(func(t *testing.T, wire []byte, isA bool) {
		qt := dns.TypeAAAA
		if isA {
			qt = dns.TypeA
		}
		addrs, err := parseAnswer(testEntry, qt, wire)
		if err != nil {
			if len(addrs) != 0 {
				t.Fatal("addresses returned with an error")
			}
			return
		}
		if len(addrs) == 0 || len(addrs) > MaxEntryPoints {
			t.Fatalf("%d addresses without an error", len(addrs))
		}
		seen := map[netip.Addr]bool{}
		for _, a := range addrs {
			if seen[a] || !usableEntryAddr(a) || a.Is4() != isA || a.Is4In6() {
				t.Fatalf("bad address %v in %v", a, addrs)
			}
			seen[a] = true
		}
	})
}

func hdrOf(h dns.RR_Header, t uint16) dns.RR_Header { h.Rrtype = t; return h }

// FuzzToken checks that an accepted token is trimmed, bounded, header-safe
// and stable.
func FuzzToken(f *testing.F) {
	for _, s := range []string{"abc", " tok \n", "a\r\nX-Evil: 1", "", strings.Repeat("z", MaxTokenLen+1), "tøken"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := CheckToken(s)
		if err != nil {
			return
		}
		if tok == "" || len(tok) > MaxTokenLen || strings.TrimSpace(tok) != tok {
			t.Fatalf("%q accepted as %q", s, tok)
		}
		for i := 0; i < len(tok); i++ {
			if tok[i] <= ' ' || tok[i] > '~' {
				t.Fatalf("%q accepted with byte %#x", tok, tok[i])
			}
		}
		if again, err := CheckToken(tok); err != nil || again != tok {
			t.Fatalf("%q not stable: %q, %v", tok, again, err)
		}
	})
}

// FuzzDNSServer checks that a normalized --dns value is HOST:PORT and stable.
func FuzzDNSServer(f *testing.F) {
	for _, s := range []string{"1.1.1.1", "[::1]:53", "dns.example:8053", "h:1:2", "[::1", "fe80::1%eth0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizeDNSServer(s)
		if err != nil {
			return
		}
		host, port, err := net.SplitHostPort(out)
		if err != nil || host == "" || port == "" || port == "0" {
			t.Fatalf("%q normalized to %q: %v", s, out, err)
		}
		if again, err := NormalizeDNSServer(out); err != nil || again != out {
			t.Fatalf("%q not stable: %q, %v", out, again, err)
		}
	})
}
