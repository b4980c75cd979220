package cftest

import (
	"testing"

	"github.com/miekg/dns"
)

func query(t *testing.T, d *DNS, name string, qt uint16, network string) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qt)
	c := dns.Client{Net: network}
	r, _, err := c.Exchange(m, d.Addr())
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qt], network, err)
	}
	return r
}

func TestDNSAnswers(t *testing.T) {
	s := NewServer(tok, "tincan.example")
	defer s.Close()
	d, err := NewDNS(s)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	if r := query(t, d, "entry.tincan.example.", dns.TypeA, "udp"); r.Rcode != dns.RcodeNameError {
		t.Fatalf("no records: %s", dns.RcodeToString[r.Rcode])
	}
	rec := s.AddRecord("A", "entry.tincan.example", "192.0.2.7")
	s.AddRecord("AAAA", "entry.tincan.example", "2001:db8::7")
	r := query(t, d, "Entry.Tincan.Example.", dns.TypeA, "udp")
	if r.Rcode != dns.RcodeSuccess || !r.Authoritative || len(r.Answer) != 1 {
		t.Fatalf("A: %v", r)
	}
	if a := r.Answer[0].(*dns.A); a.A.String() != "192.0.2.7" || a.Hdr.Ttl != autoTTL {
		t.Fatalf("A answer %v", a)
	}
	r = query(t, d, "entry.tincan.example.", dns.TypeAAAA, "tcp")
	if len(r.Answer) != 1 || r.Answer[0].(*dns.AAAA).AAAA.String() != "2001:db8::7" {
		t.Fatalf("AAAA over TCP: %v", r)
	}
	if r := query(t, d, "entry.tincan.example.", dns.TypeMX, "udp"); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
		t.Fatalf("MX (no data): %v", r)
	}
	s.RemoveRecord(rec.ID)
	if r := query(t, d, "entry.tincan.example.", dns.TypeA, "udp"); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
		t.Fatalf("A after removal: %v", r)
	}
	d.Truncate(true)
	if r := query(t, d, "entry.tincan.example.", dns.TypeAAAA, "udp"); !r.Truncated || len(r.Answer) != 0 {
		t.Fatalf("truncated UDP: %v", r)
	}
	if r := query(t, d, "entry.tincan.example.", dns.TypeAAAA, "tcp"); r.Truncated || len(r.Answer) != 1 {
		t.Fatalf("TCP while truncating UDP: %v", r)
	}
	if d.Queries() != 7 {
		t.Fatalf("%d queries, want 7", d.Queries())
	}
}
