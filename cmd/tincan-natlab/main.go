//go:build linux

// Command tincan-natlab measures tincan across NATs: it builds the natlab
// topology (a public segment with an entry node, and clients behind every
// kind of kernel NAT), runs a real `tincan daemon` on each client, and for
// every pair of NAT kinds adds the two as contacts by card only, sends a
// message each way and records the path taken and the time to delivery. It
// prints the matrix. Then two of the pairs call each other (a punched UDP
// call and one over the relay) with WAV files as microphones and speakers.
// It exits non-zero if a message is lost, a pair that can connect directly
// ends up on a relay, or a call does not connect, takes the wrong path or
// does not carry the speech both ways. It needs root, and removes every
// namespace it made on exit, even on failure.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"tincan/natlab"
)

type config struct {
	bin      string
	kinds    []natlab.Kind
	timeout  time.Duration
	ready    time.Duration
	join     time.Duration
	parallel int
	dir      string
	jsonOut  string
	probe    bool
	verbose  bool
	logLevel string // the daemons' --log-level
	calls    bool
	speech   string    // the speech files' directory
	voices   *[2]voice // the clips the site daemons play; nil: no calls
	extra    []string  // more daemon flags (the lab's DDNS)
	small    bool      // run the small networks after the big lab
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(argv []string, stdout, stderr io.Writer) int {
	var c config
	var kinds string
	fs := flag.NewFlagSet("tincan-natlab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.bin, "bin", "build/tincan", "the tincan binary to run")
	fs.StringVar(&kinds, "kinds", "all", "NAT kinds, comma-separated (names or codes: pub,fc,ar,pr,pc,sr,ss,pf,up)")
	fs.DurationVar(&c.timeout, "timeout", 20*time.Second, "how long a pair has to deliver both messages")
	fs.DurationVar(&c.ready, "ready", 90*time.Second, "how long the daemons have to start (key generation)")
	fs.DurationVar(&c.join, "join", 20*time.Second, "how long to wait for every daemon to join the overlay")
	fs.IntVar(&c.parallel, "parallel", 4, "pairs measured at once")
	fs.StringVar(&c.dir, "dir", "", "keep daemon homes and logs here (default: a temp dir, removed)")
	fs.StringVar(&c.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.BoolVar(&c.probe, "probe", true, "probe and print the NAT behaviours first")
	fs.BoolVar(&c.verbose, "v", false, "log the lab's steps")
	fs.BoolVar(&c.calls, "calls", true, "after the chat pairs, place a punched UDP call and a relayed call")
	fs.BoolVar(&c.small, "small", true, "then, per NAT kind, a small network: the entry and two users behind that kind, nobody else")
	fs.StringVar(&c.speech, "speech", "assets/speech", "the directory of speech-a.wav and speech-b.wav, for the calls")
	fs.StringVar(&c.logLevel, "daemon-log-level", "info", "the daemons' --log-level (their logs are in -dir)")
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	var err error
	if c.kinds, err = natlab.ParseKinds(kinds); err != nil {
		fmt.Fprintln(stderr, "tincan-natlab:", err)
		return 2
	}
	if c.speech, err = filepath.Abs(c.speech); err != nil {
		fmt.Fprintln(stderr, "tincan-natlab:", err)
		return 2
	}
	if c.bin, err = filepath.Abs(c.bin); err != nil {
		fmt.Fprintln(stderr, "tincan-natlab:", err)
		return 2
	}
	if _, err := os.Stat(c.bin); err != nil {
		fmt.Fprintf(stderr, "tincan-natlab: no tincan binary (build it with 'go build -o build/tincan ./cmd/tincan'): %v\n", err)
		return 2
	}
	c.parallel = max(c.parallel, 1)
	ok, err := measure(context.Background(), c, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "tincan-natlab:", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

// measure builds the lab, runs the daemons and every pair; it reports
// whether every rule held.
func measure(ctx context.Context, c config, stdout, stderr io.Writer) (bool, error) {
	level := slog.LevelWarn
	if c.verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	keep := c.dir != ""
	start := time.Now()
	// Without -dir the lab makes a temp dir for everything, homes and logs
	// included, and removes it on Close, on a signal too.
	lab, err := natlab.New(ctx, natlab.Options{Kinds: c.kinds, Logger: log, Dir: c.dir})
	if err != nil {
		return false, err
	}
	defer lab.Close()
	c.dir = lab.Dir
	if c.calls {
		vs, err := makeVoices(c.speech, lab.Dir)
		if err != nil {
			return false, err
		}
		c.voices = &vs
	}
	fmt.Fprintf(stdout, "lab %s: %d sites behind %d kinds of NAT, built in %v\n\n", lab.Prefix, len(lab.Sites), len(c.kinds), since(start))

	allOK := true
	if err := lab.CheckWAN(); err != nil {
		fmt.Fprintln(stdout, "the public segment is not like the internet:", err)
		allOK = false
	}
	if c.probe {
		bs := lab.ProbeAll()
		fmt.Fprintln(stdout, "NAT behaviour, probed with plain sockets:")
		if err := natlab.WriteBehaviours(stdout, bs); err != nil {
			return false, err
		}
		for _, b := range bs {
			if len(b.Mismatches()) > 0 {
				allOK = false
			}
		}
		fmt.Fprintln(stdout)
	}

	dd, err := startDDNS(lab)
	if err != nil {
		return false, err
	}
	defer dd.cf.Close()
	c.extra = dd.args
	entry, nodes, err := startNodes(ctx, lab, c, stdout)
	if err != nil {
		return false, err
	}
	// Every node finds out what NAT it is behind first, as it would long
	// before its user adds a contact.
	wrongNAT := checkDetection(ctx, lab, nodes, 60*time.Second, stdout)
	pairs := makePairs(lab, c.kinds, nodes)
	fmt.Fprintf(stdout, "measuring %d pairs, %d at a time, %v each at most\n", len(pairs), c.parallel, c.timeout)
	results := runPairs(ctx, pairs, c, stdout)
	fmt.Fprintln(stdout)
	writeMatrix(stdout, c.kinds, results)
	fmt.Fprintln(stdout)
	writeMedians(stdout, results)
	fmt.Fprintln(stdout)
	var calls []callResult
	if c.calls {
		calls = runCalls(ctx, pickCalls(pairs, stdout), stdout)
		fmt.Fprintln(stdout)
		writeCallTable(stdout, calls)
		fmt.Fprintln(stdout)
	}
	badCalls := 0
	for _, r := range calls {
		if len(r.failures()) > 0 {
			badCalls++
		}
	}
	wrongEntry := checkEntries(ctx, lab, nodes, dd, 30*time.Second, stdout)
	badSmall := 0
	if c.small {
		entry.proc.Stop()
		for _, n := range nodes {
			n.proc.Stop()
		}
		fmt.Fprintln(stdout, "small networks: the entry (relaying) and two users behind one kind of NAT, nobody else;")
		fmt.Fprintln(stdout, "  online: from both adding each other to both showing the other online; first message: one sent each way, both received")
		for _, r := range runSmallNetworks(ctx, lab, c, stdout) {
			if len(r.failures()) > 0 {
				badSmall++
			}
		}
		fmt.Fprintln(stdout)
	}

	lost, notDirect, direct := 0, 0, 0
	for _, r := range results {
		switch {
		case r.lost() || r.Err != "":
			lost++
		case r.notDirect():
			notDirect++
		}
		if !r.lost() && r.direct() {
			direct++
		}
	}
	fmt.Fprintf(stdout, "%d pairs: %d delivered both ways (%d direct), %d lost a message, %d should be direct but are not; %d nodes detected the wrong NAT type; %d entry-point faults; %d of %d calls failed; %d small networks failed; took %v\n",
		len(results), len(results)-lost, direct, lost, notDirect, wrongNAT, wrongEntry, badCalls, len(calls), badSmall, since(start))
	if keep {
		fmt.Fprintf(stdout, "daemon homes and logs: %s\n", c.dir)
	}
	if c.jsonOut != "" {
		if err := writeJSON(c.jsonOut, results); err != nil {
			return false, err
		}
	}
	return allOK && lost == 0 && notDirect == 0 && wrongNAT == 0 && wrongEntry == 0 && badCalls == 0 && badSmall == 0, nil
}

// startNodes runs the entry daemon, then one daemon per site bootstrapping
// from it, and waits for all to answer and (for a bounded time) to join.
func startNodes(ctx context.Context, lab *natlab.Lab, c config, stdout io.Writer) (*node, map[string]*node, error) {
	entry, err := startNode(lab, c, lab.Entry, "")
	if err != nil {
		return nil, nil, err
	}
	if err := entry.waitReady(ctx, c.ready); err != nil {
		return nil, nil, err
	}
	bootstrap := netip.AddrPortFrom(lab.Entry.HostIP, daemonPort).String()
	nodes := map[string]*node{}
	for _, s := range lab.Sites {
		n, err := startNode(lab, c, s, bootstrap)
		if err != nil {
			return nil, nil, err
		}
		nodes[s.Name] = n
	}
	var wg sync.WaitGroup
	errs := make([]error, len(lab.Sites))
	for i, s := range lab.Sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = nodes[s.Name].waitReady(ctx, c.ready)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	waitJoined(ctx, lab, nodes, c.join, stdout)
	return entry, nodes, nil
}

// waitJoined waits until every daemon says it joined the overlay (or the
// time is up) and prints where each stands.
func waitJoined(ctx context.Context, lab *natlab.Lab, nodes map[string]*node, d time.Duration, stdout io.Writer) {
	deadline := time.Now().Add(d)
	states := map[string]statusView{}
	for {
		joined := 0
		for _, s := range lab.Sites {
			st, err := nodes[s.Name].status(ctx)
			if err == nil {
				states[s.Name] = st
				if st.Overlay != nil && st.Overlay.Joined {
					joined++
				}
			}
		}
		if joined == len(lab.Sites) || time.Now().After(deadline) {
			fmt.Fprintf(stdout, "daemons: %d of %d joined the overlay through the entry node\n", joined, len(lab.Sites))
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, s := range lab.Sites {
		st := states[s.Name]
		switch o := st.Overlay; {
		case o == nil:
			fmt.Fprintf(stdout, "  %-6s listen %s, no overlay\n", s.Name, st.Listen)
		default:
			fmt.Fprintf(stdout, "  %-6s joined=%v peers=%d links=%d observed=%v role=%s %s\n", s.Name, o.Joined, o.Peers, o.Links, o.Observed, o.EntryRole, o.JoinError)
		}
	}
	fmt.Fprintln(stdout)
}

// makePairs pairs every two kinds once (a kind with itself too): the first
// kind's site a with the second kind's site b.
func makePairs(lab *natlab.Lab, kinds []natlab.Kind, nodes map[string]*node) [][2]*node {
	var out [][2]*node
	for i, ka := range kinds {
		for _, kb := range kinds[i:] {
			a, b := lab.SitesOf(ka), lab.SitesOf(kb)
			if len(a) < 1 || len(b) < 2 {
				continue
			}
			out = append(out, [2]*node{nodes[a[0].Name], nodes[b[1].Name]})
		}
	}
	return out
}

// runPairs measures the pairs, c.parallel at a time, in their order, and
// prints each pair's line as it finishes.
func runPairs(ctx context.Context, pairs [][2]*node, c config, stdout io.Writer) []pairResult {
	results := make([]pairResult, len(pairs))
	sem := make(chan struct{}, c.parallel)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, p := range pairs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := runPair(ctx, p[0], p[1], c.timeout)
			mu.Lock()
			results[i] = r
			writeDetails(stdout, []pairResult{r})
			mu.Unlock()
		}()
	}
	wg.Wait()
	return results
}

func writeJSON(path string, results []pairResult) error {
	b, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func since(t time.Time) time.Duration { return time.Since(t).Round(100 * time.Millisecond) }
