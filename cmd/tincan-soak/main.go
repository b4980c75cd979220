//go:build linux

// Command tincan-soak runs two to five real tincan daemons, each in its own
// network namespace behind a bridge and with its home on a small tmpfs, makes
// them exchange messages through the CLI at a steady rate, and meanwhile (at
// seeded random moments) kills one with SIGKILL and restarts it, drops its
// network for seconds with nftables, or fills its disk. At the end it waits
// for every outbox to empty and checks every daemon's history: each message
// the CLI accepted is in both histories exactly once and in send order, and
// each send that was refused or went unanswered is in both or in neither. It
// prints the figures beside a run without faults (-compare) and exits
// non-zero on any loss, duplicate, half-delivered message, hung send, unclear
// disk-full error or daemon that will not restart. It needs root and removes
// every namespace and mount it made, on a signal too.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(argv []string, stdout, stderr io.Writer) int {
	var c config
	var compare bool
	fs := flag.NewFlagSet("tincan-soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.bin, "bin", "build/tincan-nogui", "the tincan binary (go build -tags nogui -o build/tincan-nogui ./cmd/tincan)")
	fs.IntVar(&c.daemons, "n", 3, "daemons (2 to 5)")
	fs.DurationVar(&c.duration, "d", 10*time.Minute, "how long the traffic runs")
	fs.Float64Var(&c.rate, "rate", 2, "sends per second by each daemon")
	fs.Uint64Var(&c.seed, "seed", 0, "the chaos loop's seed (0: from the clock; printed)")
	fs.BoolVar(&compare, "compare", true, "first run as long without faults, and print both")
	fs.DurationVar(&c.gapMin, "gap-min", 5*time.Second, "least quiet time between two faults")
	fs.DurationVar(&c.gapMax, "gap-max", 25*time.Second, "most quiet time between two faults")
	fs.DurationVar(&c.drain, "drain", 3*time.Minute, "how long the outboxes have to empty after the traffic")
	fs.StringVar(&c.tmpfs, "tmpfs", "24m", "each home's tmpfs size")
	fs.StringVar(&c.dir, "dir", "", "keep homes and daemon logs here (default: a temp dir, removed)")
	fs.StringVar(&c.logLevel, "daemon-log-level", "info", "the daemons' --log-level")
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	if c.daemons < 2 || c.daemons > len(names) || c.rate <= 0 || c.gapMax < c.gapMin || c.duration <= 0 {
		fmt.Fprintln(stderr, "tincan-soak: want -n 2 to 5, -rate > 0, -d > 0 and -gap-max >= -gap-min")
		return 2
	}
	if c.seed == 0 {
		c.seed = uint64(time.Now().UnixNano())
	}
	var err error
	if c.bin, err = filepath.Abs(c.bin); err == nil {
		_, err = os.Stat(c.bin)
	}
	if err != nil {
		fmt.Fprintf(stderr, "tincan-soak: no tincan binary (build it with 'go build -tags nogui -o build/tincan-nogui ./cmd/tincan'): %v\n", err)
		return 2
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	fmt.Fprintf(stdout, "tincan-soak: seed %d (rerun with -seed %d)\n", c.seed, c.seed)
	results, err := runBoth(ctx, c, compare, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "tincan-soak:", err)
		return 1
	}
	printReport(stdout, results)
	for _, r := range results {
		if !r.ok() {
			return 1
		}
	}
	return 0
}

// runBoth runs without faults first when compare is set, then with faults.
func runBoth(ctx context.Context, c config, compare bool, progress io.Writer) ([]result, error) {
	var out []result
	if compare {
		q := c
		q.faults = false
		if c.dir != "" {
			q.dir = filepath.Join(c.dir, "nofaults")
		}
		fmt.Fprintln(progress, "== run without faults")
		r, err := runSoak(ctx, q, progress)
		if err != nil {
			return nil, fmt.Errorf("run without faults: %w", err)
		}
		out = append(out, r)
	}
	c.faults = true
	if c.dir != "" {
		c.dir = filepath.Join(c.dir, "faults")
	}
	fmt.Fprintln(progress, "== run with faults")
	r, err := runSoak(ctx, c, progress)
	if err != nil {
		return nil, fmt.Errorf("run with faults: %w", err)
	}
	return append(out, r), nil
}
