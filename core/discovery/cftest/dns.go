package cftest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/miekg/dns"
)

// autoTTL is the TTL Cloudflare serves for records with automatic TTL.
const autoTTL = 300

// DNS is a local DNS server (UDP and TCP on one loopback port) that answers
// A and AAAA queries from a Server's current records, so changes made
// through the API show at once. Names without records get NXDOMAIN.
type DNS struct {
	src      *Server
	udp, tcp *dns.Server
	addr     string
	truncate atomic.Bool
	queries  atomic.Int64
	wg       sync.WaitGroup
}

// NewDNS starts a DNS server on 127.0.0.1 that answers from src.
func NewDNS(src *Server) (*DNS, error) {
	d := &DNS{src: src}
	var pc net.PacketConn
	var ln net.Listener
	var err error
	for range 20 {
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("fake DNS: listen udp: %w", err)
		}
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		_ = pc.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("fake DNS: listen tcp beside udp: %w", err)
	}
	d.addr = pc.LocalAddr().String()
	handler := dns.HandlerFunc(d.serve)
	d.udp = &dns.Server{PacketConn: pc, Handler: handler}
	d.tcp = &dns.Server{Listener: ln, Handler: handler}
	for _, srv := range []*dns.Server{d.udp, d.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		d.wg.Go(func() { _ = srv.ActivateAndServe() })
		<-started
	}
	return d, nil
}

// Addr returns the server's HOST:PORT.
func (d *DNS) Addr() string { return d.addr }

// Queries returns how many queries the server has answered.
func (d *DNS) Queries() int64 { return d.queries.Load() }

// Truncate makes UDP answers come back empty with the TC bit set, so that
// clients must retry over TCP.
func (d *DNS) Truncate(on bool) { d.truncate.Store(on) }

// Close stops the server and waits for it.
func (d *DNS) Close() error {
	err := errors.Join(d.udp.Shutdown(), d.tcp.Shutdown())
	d.wg.Wait()
	if pc := d.udp.PacketConn; pc != nil {
		_ = pc.Close()
	}
	return err
}

func (d *DNS) serve(w dns.ResponseWriter, req *dns.Msg) {
	d.queries.Add(1)
	resp := d.answer(req, w.LocalAddr().Network() == "udp")
	_ = w.WriteMsg(resp)
}

// answer builds the reply to req from the records of the Server.
func (d *DNS) answer(req *dns.Msg, udp bool) *dns.Msg {
	m := new(dns.Msg)
	if req.Opcode != dns.OpcodeQuery {
		return m.SetRcode(req, dns.RcodeNotImplemented)
	}
	if len(req.Question) != 1 {
		return m.SetRcode(req, dns.RcodeFormatError)
	}
	m.SetReply(req)
	m.Authoritative = true
	if udp && d.truncate.Load() {
		m.Truncated = true
		return m
	}
	q := req.Question[0]
	recs := d.src.lookup(q.Name)
	if len(recs) == 0 {
		m.Rcode = dns.RcodeNameError
		return m
	}
	for _, r := range recs {
		ttl := uint32(r.TTL)
		if r.TTL <= 1 {
			ttl = autoTTL
		}
		hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: ttl}
		a, err := netip.ParseAddr(r.Content)
		if err != nil {
			continue
		}
		switch {
		case q.Qtype == dns.TypeA && r.Type == "A" && a.Is4():
			hdr.Rrtype = dns.TypeA
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: a.AsSlice()})
		case q.Qtype == dns.TypeAAAA && r.Type == "AAAA" && a.Is6():
			hdr.Rrtype = dns.TypeAAAA
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()})
		}
	}
	size := dns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
		size = int(opt.UDPSize())
	}
	if udp {
		m.Truncate(size)
	}
	return m
}
