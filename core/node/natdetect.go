package node

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"time"

	"tincan/core/stun"
)

// How often the NAT is classified: soon after start; while the answer is
// "unknown" (too few peers, a lost probe, an answer through a hole of our
// own) again and again, sooner when a peer at a new IP links, else after a
// wait that doubles up to natUnsureMax; once known, every natEvery
// (networks change).
const (
	natFirst     = 3 * time.Second
	natCheck     = time.Second     // how often the loop looks for new peers to ask
	natSoon      = 3 * time.Second // the first wait after an "unknown"
	natUnsureMax = 2 * time.Minute
	natEvery     = 10 * time.Minute
	natTimeout   = 20 * time.Second // one classification, at most
)

// natSchedule decides when the next classification is due.
type natSchedule struct {
	next    time.Time     // due then at the latest
	wait    time.Duration // the wait after the next "unknown"
	known   bool          // the last classification named the type
	asked   []netip.Addr  // the servers' IPs the last classification had
	started bool          // a classification was made
}

func newNATSchedule(now time.Time) natSchedule {
	return natSchedule{next: now.Add(natFirst), wait: natSoon}
}

// due reports whether to classify at now with these servers: the time has
// come, or the answer is unknown and a server at a new IP is there to ask
// (one that may tell the mapping, or give an honest change-IP answer).
func (s *natSchedule) due(now time.Time, servers []netip.AddrPort) bool {
	if !now.Before(s.next) {
		return true
	}
	if !s.started || s.known {
		return false
	}
	return slices.ContainsFunc(servers, func(a netip.AddrPort) bool { return !slices.Contains(s.asked, a.Addr()) })
}

// done records a classification at now with these servers, and whether
// it named the type; it returns the wait until the next one is due.
func (s *natSchedule) done(now time.Time, servers []netip.AddrPort, known bool) time.Duration {
	s.started, s.known, s.asked = true, known, s.asked[:0]
	for _, a := range servers {
		s.asked = append(s.asked, a.Addr())
	}
	wait := natEvery
	if known {
		s.wait = natSoon
	} else {
		wait, s.wait = s.wait, min(2*s.wait, natUnsureMax)
	}
	s.next = now.Add(wait)
	return wait
}

func (p *natPart) run(ctx context.Context) {
	defer func() {
		p.mux.Close()
		p.conn.Close()
		if p.alt != nil {
			p.altMux.Close()
			p.alt.Close()
		}
	}()
	t := time.NewTicker(natCheck)
	defer t.Stop()
	sched := newNATSchedule(time.Now())
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		servers := p.servers()
		if !sched.due(time.Now(), servers) {
			continue
		}
		if len(servers) == 0 {
			// Peers come with joining: look again at the next tick.
			p.setResult(nil, "no overlay peers to ask yet")
			continue
		}
		rep, err := p.classify(ctx, servers)
		if ctx.Err() != nil {
			return
		}
		known := err == nil && rep.Type != stun.TypeUnknown
		wait := sched.done(time.Now(), servers, known)
		switch {
		case err != nil:
			p.n.log.Info("NAT detection failed, asking again", "err", err, "servers", servers, "retry", wait)
		case known:
			p.n.log.Info("NAT detected", "type", rep.Type, "external", rep.External, "mapping", rep.Mapping,
				"filtering", rep.Filtering, "servers", servers, "next", wait, "probes", strings.Join(rep.Probes, "; "))
		default:
			p.n.log.Info("NAT type not known yet, asking again", "type", rep.Type, "external", rep.External,
				"mapping", rep.Mapping, "filtering", rep.Filtering, "servers", servers, "retry", wait,
				"probes", strings.Join(rep.Probes, "; "))
		}
	}
}

// classify asks the servers (up to four overlay peers we dialed: their UDP
// port is the TCP port they listen on) and keeps the report.
func (p *natPart) classify(ctx context.Context, servers []netip.AddrPort) (stun.Report, error) {
	cctx, cancel := context.WithTimeout(ctx, natTimeout)
	defer cancel()
	rep, err := p.mux.Classify(cctx, servers)
	if err != nil {
		if ctx.Err() == nil {
			p.setResult(nil, err.Error())
		}
		return rep, err
	}
	p.setResult(&rep, "")
	return rep, nil
}
