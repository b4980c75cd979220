//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// config is one run's shape.
type config struct {
	bin      string
	daemons  int
	duration time.Duration
	rate     float64 // sends per second by each daemon, round robin over its contacts
	seed     uint64
	faults   bool
	gapMin   time.Duration // quiet time between two faults
	gapMax   time.Duration
	drain    time.Duration // how long the outboxes have to empty at the end
	tmpfs    string        // each home's tmpfs size
	dir      string        // keep homes and logs here ("" temp, removed)
	logLevel string
}

// names are the daemons' names, in order.
var names = []string{"Ana", "Ben", "Cem", "Dan", "Eva"}

// faultState is what the chaos loop has done to one daemon right now.
type faultState struct {
	diskFull bool
	down     bool
	kills    int
}

// soak is one run: its lab, daemons, ledger and findings.
type soak struct {
	cfg      config
	lab      *lab
	ds       []*daemon
	led      *ledger
	progress io.Writer
	begin    time.Time

	mu       sync.Mutex
	state    map[string]faultState
	problems []string
	events   []string       // the chaos loop's log
	faults   map[string]int // kind → how many
	diskMsgs map[string]int // what a send said when the disk was full
	drained  time.Duration
}

// result is one run's figures and verdict.
type result struct {
	cfg      config
	prefix   string // the lab's namespace prefix
	v        verdict
	problems []string
	events   []string
	faults   map[string]int
	diskMsgs map[string]int
	errors   []string // every kind of refusal, with counts
	peakKB   map[string]int64
	drained  time.Duration
}

// ok reports whether the run found nothing wrong.
func (r result) ok() bool { return r.v.ok() && len(r.problems) == 0 }

func (s *soak) problem(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	s.mu.Lock()
	s.problems = append(s.problems, msg)
	s.mu.Unlock()
	s.logf("PROBLEM: %s", msg)
}

func (s *soak) logf(format string, a ...any) {
	line := fmt.Sprintf("%7.1fs  %s", time.Since(s.begin).Seconds(), fmt.Sprintf(format, a...))
	s.mu.Lock()
	s.events = append(s.events, line)
	s.mu.Unlock()
	fmt.Fprintln(s.progress, line)
}

func (s *soak) snapshot(name string) faultState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state[name]
}

func (s *soak) setState(name string, f func(*faultState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state[name]
	f(&st)
	s.state[name] = st
}

// runSoak builds the lab, runs the daemons and traffic (and faults), drains,
// checks the histories and tears everything down.
func runSoak(ctx context.Context, cfg config, progress io.Writer) (res result, err error) {
	s := &soak{cfg: cfg, led: newLedger(), progress: progress, begin: time.Now(),
		state: map[string]faultState{}, faults: map[string]int{}, diskMsgs: map[string]int{}}
	s.lab, err = newLab(ctx, cfg.dir)
	if err != nil {
		return res, err
	}
	defer func() {
		for _, d := range s.ds {
			if d.running() && !d.stop(10*time.Second) {
				s.problem("%s did not exit within 10 s of SIGTERM", d.name)
			}
		}
		if cerr := s.lab.close(); cerr != nil && err == nil {
			err = fmt.Errorf("removing the lab: %w", cerr)
		}
	}()
	if err := s.setUp(ctx); err != nil {
		return res, err
	}
	s.logf("%d daemons up in %s, %s of traffic at %.2g msg/s each, faults %v (seed %d)",
		len(s.ds), s.lab.prefix, cfg.duration, cfg.rate, cfg.faults, cfg.seed)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { s.sampleRSS(stop) })
	var traffic sync.WaitGroup
	for i, d := range s.ds {
		traffic.Go(func() { s.sender(stop, i, d) })
	}
	end := time.Now().Add(cfg.duration)
	chaosDone := make(chan struct{})
	if cfg.faults {
		go func() {
			defer close(chaosDone)
			s.chaos(stop, end, rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x50a4)))
		}()
	} else {
		close(chaosDone)
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(end)):
	}
	close(stop)
	traffic.Wait()
	<-chaosDone // the fault under way is undone before the drain
	s.logf("traffic stopped: %d sends; draining", len(s.led.all()))
	if ctx.Err() != nil {
		wg.Wait()
		return res, ctx.Err()
	}
	s.reviveAll()
	s.drain()
	h, herr := s.collect()
	wg.Wait()
	for _, d := range s.ds {
		d.sampleRSS()
	}
	if herr != nil {
		s.problem("reading the histories: %v", herr)
	}
	if cfg.faults && s.faults[faultDisk] > 0 && len(s.diskMsgs) == 0 {
		s.problem("no send was refused in %d disk fills, so no disk-full refusal was checked", s.faults[faultDisk])
	}
	recs := s.led.all()
	res = result{cfg: cfg, prefix: s.lab.prefix, v: verify(recs, h, s.names()), errors: errorCounts(recs), peakKB: map[string]int64{}}
	for _, d := range s.ds {
		for _, e := range d.exitsUnasked() {
			s.problem("%s; its log ends: %s", e, d.logTail(400))
		}
		res.peakKB[d.name] = d.peak()
	}
	s.mu.Lock()
	res.problems, res.events, res.faults, res.diskMsgs, res.drained = s.problems, s.events, s.faults, s.diskMsgs, s.drained
	s.mu.Unlock()
	return res, nil
}

func (s *soak) names() []string {
	var out []string
	for _, d := range s.ds {
		out = append(out, d.name)
	}
	return out
}

// setUp starts the daemons and makes every pair contacts of each other.
func (s *soak) setUp(ctx context.Context) error {
	for i := range s.cfg.daemons {
		n, err := s.lab.addNode(ctx, i, names[i], s.cfg.tmpfs)
		if err != nil {
			return err
		}
		d := newDaemon(s.cfg.bin, n, names[i], filepath.Join(s.lab.dir, names[i]+".log"), s.cfg.logLevel)
		if err := d.start(); err != nil {
			return err
		}
		s.ds = append(s.ds, d)
	}
	for _, d := range s.ds {
		if err := d.waitReady(2 * time.Minute); err != nil { // first start makes an RSA-3072 key
			return err
		}
	}
	for _, a := range s.ds {
		for _, b := range s.ds {
			if a == b {
				continue
			}
			r := a.cli(20*time.Second, "contacts", "add", b.name, b.card, "--addr", fmt.Sprintf("%s:%d", b.net.ip, daemonPort))
			if r.code != 0 {
				return fmt.Errorf("%s adding %s: exit %d: %s", a.name, b.name, r.code, r.stderr)
			}
		}
	}
	// Wait (bounded) for every session to come up, so the first sends
	// measure delivery, not dialing.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !s.allOnline() {
		time.Sleep(300 * time.Millisecond)
	}
	return nil
}

func (s *soak) allOnline() bool {
	for _, d := range s.ds {
		var cs []struct {
			Online bool `json:"online"`
		}
		if err := d.cliJSON(&cs, "contacts", "list"); err != nil || len(cs) != len(s.ds)-1 {
			return false
		}
		for _, c := range cs {
			if !c.Online {
				return false
			}
		}
	}
	return true
}

// sender sends from daemon d at the configured rate, round robin over its
// contacts, one send at a time, until stop.
func (s *soak) sender(stop <-chan struct{}, idx int, d *daemon) {
	var peers []*daemon
	for _, p := range s.ds {
		if p != d {
			peers = append(peers, p)
		}
	}
	interval := time.Duration(float64(time.Second) / s.cfg.rate)
	next := time.Now().Add(interval * time.Duration(idx) / time.Duration(len(s.ds)))
	for k := 0; ; k++ {
		select {
		case <-stop:
			return
		case <-time.After(time.Until(next)):
		}
		next = next.Add(interval)
		if now := time.Now(); next.Before(now) {
			next = now // a slow send delays the next; no burst to catch up
		}
		s.send(d, peers[k%len(peers)])
	}
}

// sendTimeout is how long one `tincan send` may take before it counts as hung.
const sendTimeout = 30 * time.Second

// send runs one `tincan send` and records how it ended.
func (s *soak) send(d, to *daemon) {
	r := s.led.next(d.name, to.name)
	st0 := s.snapshot(d.name)
	d.inSend.Store(true)
	r.start = time.Now()
	res := d.cli(sendTimeout, "send", to.name, r.text, "--json")
	r.end = time.Now()
	d.inSend.Store(false)
	st1 := s.snapshot(d.name)
	r.code, r.errText = res.code, res.stderr
	if res.code == 0 {
		var m histEntry
		if err := json.Unmarshal(res.stdout, &m); err == nil && m.Text == r.text && m.ID != "" {
			r.accepted, r.id = true, m.ID
		} else {
			r.errText = fmt.Sprintf("exit 0 but the answer is not the message: %q", strings.TrimSpace(string(res.stdout)))
		}
	}
	switch {
	case r.accepted:
	case res.code == -1:
		r.reason = reasonHung
		s.problem("%s: `tincan send %s` gave no answer within %v (%s)", d.name, to.name, sendTimeout, r.errText)
	case st0.down || st1.down || st0.kills != st1.kills:
		r.reason = reasonDown
	case st0.diskFull || st1.diskFull:
		r.reason = reasonDiskFull
		s.mu.Lock()
		s.diskMsgs[fmt.Sprintf("exit %d: %s", r.code, r.errText)]++
		s.mu.Unlock()
	default:
		r.reason = reasonOther
		s.problem("%s: `tincan send %s` failed with no fault under way: exit %d: %s", d.name, to.name, r.code, r.errText)
	}
	s.led.add(r)
}

// sampleRSS reads every daemon's peak RSS each second until stop.
func (s *soak) sampleRSS(stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		for _, d := range s.ds {
			d.sampleRSS()
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// reviveAll restarts any daemon not running before the drain.
func (s *soak) reviveAll() {
	for _, d := range s.ds {
		if d.running() {
			continue
		}
		s.problem("%s was not running at the end of the traffic", d.name)
		if err := d.start(); err == nil {
			if err := d.waitReady(time.Minute); err != nil {
				s.problem("%s will not restart: %v", d.name, err)
			}
		}
	}
}

// drain waits until every outbox is empty (every message acknowledged).
func (s *soak) drain() {
	start := time.Now()
	deadline := start.Add(s.cfg.drain)
	for {
		var left []string
		for _, d := range s.ds {
			var st struct {
				Outbox int `json:"outbox"`
			}
			if err := d.cliJSON(&st, "status"); err != nil {
				left = append(left, err.Error())
			} else if st.Outbox > 0 {
				left = append(left, fmt.Sprintf("%s %d", d.name, st.Outbox))
			}
		}
		if len(left) == 0 {
			s.mu.Lock()
			s.drained = time.Since(start)
			s.mu.Unlock()
			s.logf("outboxes empty after %.1fs", time.Since(start).Seconds())
			return
		}
		if time.Now().After(deadline) {
			s.problem("outboxes not empty %v after the traffic stopped: %s", s.cfg.drain, strings.Join(left, ", "))
			return
		}
		time.Sleep(time.Second)
	}
}

// collect reads every daemon's history with every contact.
func (s *soak) collect() (histories, error) {
	h := histories{}
	for _, a := range s.ds {
		for _, b := range s.ds {
			if a == b {
				continue
			}
			var es []histEntry
			if err := a.cliJSON(&es, "history", b.name); err != nil {
				return h, err
			}
			h[a.name+"/"+b.name] = es
		}
	}
	return h, nil
}
