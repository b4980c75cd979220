// Command tincan-bench measures tincan against a baseline in the same run and
// prints a table with their ratio: message round trip against a bare TLS 1.3
// echo, a 10,000-message burst, and the idle daemon's memory against an idle
// Go process that only holds a TLS listener.
//
// Beside the in-memory echo, two durable echoes give the floor that
// durability sets on this disk: the receiver appends each message to a file
// and fsyncs before answering, one message at a time or in groups (see
// durable.go). The bursts run twice: one Send after another, and from
// -senders goroutines at once (how a burst reaches a node from many callers).
//
// Usage: tincan-bench -bin build/tincan [-rounds 300] [-burst 10000] [-senders 64] [-dir DIR]
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"tincan/core/identity"
	"tincan/core/node"
)

func main() {
	binPath := flag.String("bin", "build/tincan", "tincan binary, for the idle-memory row")
	serverBin := flag.String("server-bin", "", "a -tags nogui build too, for a second idle-memory row")
	rounds := flag.Int("rounds", 300, "round trips to time")
	burst := flag.Int("burst", 10000, "messages in the burst")
	senders := flag.Int("senders", 64, "goroutines calling Send at once in the second burst")
	dir := flag.String("dir", "", "where the nodes keep their databases (default: a temp dir on disk)")
	idle := flag.Bool("idle-baseline", false, "internal: be the idle baseline process")
	idleContacts := flag.Int("idle-contacts", 50, "online contacts of the node whose idle traffic is measured (0: skip)")
	idleWindow := flag.Duration("idle-window", time.Minute, "how long idle traffic is counted")
	idleKeepAlive := flag.Duration("idle-keepalive", 0, "chat keep-alive for the idle traffic row (0: chat's default)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the message rows to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tincan-bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *idle {
		idleBaseline()
		return
	}
	it := idleParams{*idleContacts, *idleWindow, *idleKeepAlive}
	if err := run(*binPath, *serverBin, *rounds, *burst, *senders, *dir, it); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "tincan-bench:", err)
		os.Exit(1)
	}
}

type row struct {
	what, tincan, baseline, ratio, target string
}

// idleParams says how to measure idle traffic per contact.
type idleParams struct {
	contacts          int
	window, keepAlive time.Duration
}

func run(bin, serverBin string, rounds, burst, senders int, dir string, it idleParams) error {
	if dir == "" {
		if err := os.MkdirAll("build", 0o755); err != nil {
			return err
		}
		d, err := os.MkdirTemp("build", "bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	payload := strings.Repeat("m", 100)
	ana, ben, err := twoNodes(dir)
	if err != nil {
		return err
	}
	defer ana.Close()
	defer ben.Close()

	bare, err := bareTLSEcho(rounds, len(payload))
	if err != nil {
		return fmt.Errorf("bare TLS echo: %w", err)
	}
	each, err := startDurable(dir, len(payload), false, false)
	if err != nil {
		return fmt.Errorf("durable echo: %w", err)
	}
	defer each.Close()
	grouped, err := startDurable(dir, len(payload), true, false)
	if err != nil {
		return fmt.Errorf("grouped durable echo: %w", err)
	}
	defer grouped.Close()
	both, err := startDurable(dir, len(payload), false, true)
	if err != nil {
		return fmt.Errorf("two-sided durable echo: %w", err)
	}
	defer both.Close()
	rtt, err := roundTrips(ana, rounds, payload, each.round, grouped.round, both.round)
	if err != nil {
		return fmt.Errorf("round trips: %w", err)
	}
	if err := each.burst(burst, len(payload)); err != nil {
		return fmt.Errorf("durable echo burst: %w", err)
	}
	if err := grouped.burst(burst, len(payload)); err != nil {
		return fmt.Errorf("grouped durable echo burst: %w", err)
	}
	rate, lost, err := burstRun(ana, ben, burst, 1, payload)
	if err != nil {
		return fmt.Errorf("burst: %w", err)
	}
	crate, clost, err := burstRun(ana, ben, burst, senders, payload)
	if err != nil {
		return fmt.Errorf("burst from %d senders: %w", senders, err)
	}
	lost += clost
	floor, err := storageFloor(dir, burst, len(payload))
	if err != nil {
		return fmt.Errorf("storage floor: %w", err)
	}
	bareRate, err := bareTLSBurst(burst, len(payload))
	if err != nil {
		return fmt.Errorf("bare TLS burst: %w", err)
	}
	rss, err := idleRSS(bin, "daemon", "--home", filepath.Join(dir, "idle"), "--name", "Idle", "--keystore", "file", "--listen", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("idle daemon: %w", err)
	}
	self, _ := os.Executable()
	baseRSS, err := idleRSS(self, "-idle-baseline")
	if err != nil {
		return fmt.Errorf("idle baseline: %w", err)
	}

	var serverRSS int64
	if serverBin != "" {
		serverRSS, err = idleRSS(serverBin, "daemon", "--home", filepath.Join(dir, "idle-server"), "--name", "Idle", "--keystore", "file", "--listen", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("idle server daemon: %w", err)
		}
	}

	var idle idleResult
	if it.contacts > 0 {
		if idle, err = idleTraffic(dir, it.contacts, it.window, it.keepAlive); err != nil {
			return fmt.Errorf("idle traffic: %w", err)
		}
	}

	p50, p99 := pct(rtt, 50), pct(rtt, 99)
	b50, b99 := pct(bare, 50), pct(bare, 99)
	rows := []row{
		{"round trip p50 (send -> delivered ack)", dur(p50), dur(b50) + " bare TLS 1.3 echo", ratio(float64(p50), float64(b50)), "<= 2"},
		{"round trip p99", dur(p99), dur(b99) + " bare TLS 1.3 echo", ratio(float64(p99), float64(b99)), ""},
		{fmt.Sprintf("burst of %d, delivered+acked", burst), fmt.Sprintf("%.0f msg/s, %d lost", rate, lost), fmt.Sprintf("%.0f msg/s bare TLS echo", bareRate), ratio(rate, bareRate), "0 lost"},
		{"round trip p50, against a durable echo", dur(p50), dur(pct(each.res.rtt, 50)) + " TLS echo, append+fsync per message", ratio(float64(p50), float64(pct(each.res.rtt, 50))), "<= 2"},
		{"round trip p99, against a durable echo", dur(p99), dur(pct(each.res.rtt, 99)) + " TLS echo, append+fsync per message", ratio(float64(p99), float64(pct(each.res.rtt, 99))), ""},
		{"round trip p50, against a two-sided durable echo", dur(p50), dur(pct(both.res.rtt, 50)) + " TLS echo, append+fsync by sender, then receiver", ratio(float64(p50), float64(pct(both.res.rtt, 50))), ""},
		{"round trip p99, against a two-sided durable echo", dur(p99), dur(pct(both.res.rtt, 99)) + " TLS echo, append+fsync by sender, then receiver", ratio(float64(p99), float64(pct(both.res.rtt, 99))), ""},
		{"round trip p50, against a grouped durable echo", dur(p50), dur(pct(grouped.res.rtt, 50)) + " TLS echo, grouped append+fsync", ratio(float64(p50), float64(pct(grouped.res.rtt, 50))), ""},
		{"round trip p99, against a grouped durable echo", dur(p99), dur(pct(grouped.res.rtt, 99)) + " TLS echo, grouped append+fsync", ratio(float64(p99), float64(pct(grouped.res.rtt, 99))), ""},
		{fmt.Sprintf("burst of %d, one Send after another", burst), fmt.Sprintf("%.0f msg/s", rate), fmt.Sprintf("%.0f msg/s TLS echo, append+fsync per message", each.res.rate), ratio(rate, each.res.rate), ""},
		{"  same, against a grouped durable echo", fmt.Sprintf("%.0f msg/s", rate), fmt.Sprintf("%.0f msg/s TLS echo, grouped (%d fsyncs)", grouped.res.rate, grouped.res.fsyncs), ratio(rate, grouped.res.rate), ""},
		{fmt.Sprintf("burst of %d, %d senders at once", burst, senders), fmt.Sprintf("%.0f msg/s, %d lost", crate, clost), fmt.Sprintf("%.0f msg/s TLS echo, append+fsync per message", each.res.rate), ratio(crate, each.res.rate), "0 lost"},
		{"  same, against a grouped durable echo", fmt.Sprintf("%.0f msg/s", crate), fmt.Sprintf("%.0f msg/s TLS echo, grouped (%d fsyncs)", grouped.res.rate, grouped.res.fsyncs), ratio(crate, grouped.res.rate), ">= 0.5"},
		{"  same, against the storage floor", fmt.Sprintf("%.0f msg/s", crate), fmt.Sprintf("%.0f msg/s saved in one SQLite transaction, no network", floor), ratio(crate, floor), ""},
		{"storage floor against the grouped durable echo", fmt.Sprintf("%.0f msg/s", floor), fmt.Sprintf("%.0f msg/s TLS echo, grouped", grouped.res.rate), ratio(floor, grouped.res.rate), ""},
		{"idle daemon resident memory", mb(rss), mb(baseRSS) + " idle Go TLS listener", ratio(float64(rss), float64(baseRSS)), "< 30 MB"},
	}
	if serverBin != "" {
		rows = append(rows, row{"idle daemon, nogui server build", mb(serverRSS), mb(baseRSS) + " idle Go TLS listener", ratio(float64(serverRSS), float64(baseRSS)), "< 30 MB"})
	}
	if it.contacts > 0 {
		ka := it.keepAlive
		if ka == 0 {
			ka = 20 * time.Second
		}
		rows = append(rows,
			row{fmt.Sprintf("idle traffic per online contact (%d, %v, keep-alive %v)", idle.contacts, idle.window, ka),
				fmt.Sprintf("%.1f B/s (%.1f in, %.1f out)", idle.perContact(), float64(idle.in)/idle.window.Seconds()/float64(idle.contacts), float64(idle.out)/idle.window.Seconds()/float64(idle.contacts)),
				"2-5 KB/s Tox (published, not this run)", ratio(idle.perContact(), 2000), "< 0.5 KB/s"},
			row{"  same, with TCP/IP headers (estimate)", fmt.Sprintf("%.1f B/s", idle.wire()), "", ratio(idle.wire(), 2000), "< 0.5 KB/s"},
			row{"  all contacts together", fmt.Sprintf("%.1f B/s (%.1f B/s with headers)", idle.perContact()*float64(idle.contacts), idle.wire()*float64(idle.contacts)), "", "", "< 0.5 KB/s"},
		)
	}
	fmt.Printf("tincan bench: %d round trips, %d-byte messages, databases in %s\n\n", rounds, len(payload), dir)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\ttincan\tbaseline (same run)\tratio\ttarget")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.what, r.tincan, r.baseline, r.ratio, r.target)
	}
	tw.Flush()
	fmt.Println()
	fmt.Println("A durable echo answers after one fsync; the two-sided one also fsyncs at the")
	fmt.Println("sender before it sends, as a messenger that keeps what it sends must (nothing a")
	fmt.Println("send reported failed may reach the contact). A tincan round trip holds two durable")
	fmt.Println("commits in a row (the sender's queue, then the receiver's save), each a SQLite WAL")
	fmt.Println("commit with synchronous=FULL; Delivered is reported as the ack arrives and recorded")
	fmt.Println("with the next commit. Bursts share commits in groups. The storage floor is the rate")
	fmt.Println("at which tincan's store takes in messages with nothing else to do: no burst of")
	fmt.Println("messages kept as rows of it can go faster.")
	if lost != 0 {
		return fmt.Errorf("the burst lost %d messages", lost)
	}
	return nil
}

func twoNodes(dir string) (*node.Node, *node.Node, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(name string) (*node.Node, error) {
		home := filepath.Join(dir, name)
		ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
		if err := node.Create(home, ks, name); err != nil {
			return nil, err
		}
		return node.Open(node.Options{Home: home, Keystore: ks, Listen: "127.0.0.1:0", Logger: quiet})
	}
	ana, err := open("Ana")
	if err != nil {
		return nil, nil, err
	}
	ben, err := open("Ben")
	if err != nil {
		ana.Close()
		return nil, nil, err
	}
	ctx := context.Background()
	if _, err := ana.AddContact(ctx, "Ben", ben.Card(), ben.ListenAddr()); err != nil {
		return nil, nil, err
	}
	if _, err := ben.AddContact(ctx, "Ana", ana.Card(), ana.ListenAddr()); err != nil {
		return nil, nil, err
	}
	return ana, ben, nil
}

// roundTrips times Send until the delivered event, one message at a time;
// before each, it runs each of beside once (the baselines' rounds, taken in
// turn with tincan's so both see the disk at the same moments).
func roundTrips(ana *node.Node, n int, payload string, beside ...func() error) ([]time.Duration, error) {
	events, stop := ana.Subscribe()
	defer stop()
	ctx := context.Background()
	var out []time.Duration
	for i := -10; i < n; i++ { // 10 warm-up rounds
		if i >= 0 {
			for _, f := range beside {
				if err := f(); err != nil {
					return nil, err
				}
			}
		}
		start := time.Now()
		m, err := ana.Send(ctx, "Ben", payload)
		if err != nil {
			return nil, err
		}
		if err := waitDelivered(events, map[string]bool{m.ID: true}); err != nil {
			return nil, err
		}
		if i >= 0 {
			out = append(out, time.Since(start))
		}
	}
	return out, nil
}

func waitDelivered(events <-chan node.Event, ids map[string]bool) error {
	timeout := time.After(5 * time.Minute)
	for len(ids) > 0 {
		select {
		case ev := <-events:
			if ev.Message != nil && ev.Message.State == "delivered" {
				delete(ids, ev.Message.ID)
			}
		case <-timeout:
			return fmt.Errorf("%d messages not delivered in 5 minutes", len(ids))
		}
	}
	return nil
}

// burstRun queues n messages from senders goroutines at once (1: one Send
// after another) and waits until all are acknowledged.
func burstRun(ana, ben *node.Node, n, senders int, payload string) (rate float64, lost int, err error) {
	events, stop := ana.Subscribe()
	defer stop()
	ctx := context.Background()
	before, err := ben.History(ctx, "Ana", 0)
	if err != nil {
		return 0, 0, err
	}
	var (
		mu   sync.Mutex
		ids  = map[string]bool{}
		next atomic.Int64
		wg   sync.WaitGroup
		errs = make(chan error, senders)
	)
	start := time.Now()
	for range senders {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				m, err := ana.Send(ctx, "Ben", fmt.Sprintf("%s %d", payload, i))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				ids[m.ID] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, 0, err
	}
	if err := waitDelivered(events, ids); err != nil {
		return 0, 0, err
	}
	rate = float64(n) / time.Since(start).Seconds()
	after, err := ben.History(ctx, "Ana", 0)
	if err != nil {
		return 0, 0, err
	}
	return rate, n - (len(after) - len(before)), nil
}

func tlsPair() (*tls.Config, *tls.Config, error) {
	id, err := identity.Generate("bench")
	if err != nil {
		return nil, nil, err
	}
	cert, err := identity.SelfCert(id)
	if err != nil {
		return nil, nil, err
	}
	srv := &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cert}}
	cli := &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true} //nolint:gosec // a local baseline only
	return srv, cli, nil
}

// echoServer echoes every byte back on each TLS connection it accepts.
func echoServer(srv *tls.Config) (net.Listener, error) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", srv)
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return ln, nil
}

func bareTLSEcho(n, size int) ([]time.Duration, error) {
	srv, cli, err := tlsPair()
	if err != nil {
		return nil, err
	}
	ln, err := echoServer(srv)
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	c, err := tls.Dial("tcp", ln.Addr().String(), cli)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	buf, msg := make([]byte, size), []byte(strings.Repeat("m", size))
	var out []time.Duration
	for i := -10; i < n; i++ {
		start := time.Now()
		if _, err := c.Write(msg); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return nil, err
		}
		if i >= 0 {
			out = append(out, time.Since(start))
		}
	}
	return out, nil
}

// bareTLSBurst writes n payloads and reads all their echoes back.
func bareTLSBurst(n, size int) (float64, error) {
	srv, cli, err := tlsPair()
	if err != nil {
		return 0, err
	}
	ln, err := echoServer(srv)
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	c, err := tls.Dial("tcp", ln.Addr().String(), cli)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	msg := []byte(strings.Repeat("m", size))
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, size*n)
		_, err := io.ReadFull(c, buf)
		errc <- err
	}()
	for range n {
		if _, err := c.Write(msg); err != nil {
			return 0, err
		}
	}
	if err := <-errc; err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// idleBaseline holds a TLS listener and does nothing, like an idle node.
func idleBaseline() {
	srv, _, err := tlsPair()
	if err != nil {
		os.Exit(1)
	}
	ln, err := echoServer(srv)
	if err != nil {
		os.Exit(1)
	}
	defer ln.Close()
	fmt.Println("ready")
	time.Sleep(time.Hour)
}

// idleRSS starts a process, lets it settle, and reads its resident memory.
func idleRSS(bin string, args ...string) (int64, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	time.Sleep(5 * time.Second)
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %s", bin)
}

func pct(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}

func dur(d time.Duration) string { return d.Round(time.Microsecond).String() }
func mb(b int64) string          { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	if r := a / b; r < 0.1 {
		return fmt.Sprintf("%.4f", r)
	}
	return fmt.Sprintf("%.2f", a/b)
}
