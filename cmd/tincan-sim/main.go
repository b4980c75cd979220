// Command tincan-sim runs the real overlay code (core/overlay) over the
// in-memory network of core/overlay/memnet with a fake clock, for networks of
// several sizes, and prints routing-table sizes, lookup hops, the cost of a
// connection set-up by rendezvous and by flood, and set-up success while a
// fifth of the nodes churn. A given -seed always gives the same table.
//
// It must never touch a real network or the user's files.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tincan-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("n", "1000,10000,50000", "network sizes, comma-separated")
	quick := fs.Bool("quick", false, "a small, fast run (N=300,1000 and fewer operations)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same results")
	lookups := fs.Int("lookups", 500, "random FIND_NODE lookups per size")
	setups := fs.Int("setups", 200, "rendezvous set-ups per size (no churn)")
	floods := fs.Int("floods", 0, "flood set-ups per size (0: 10 up to N=1,000, 3 up to N=10,000, else 1)")
	churnSetups := fs.Int("churn-setups", 300, "set-ups during churn per size")
	churn := fs.Float64("churn", 0.2, "fraction of nodes that leave (and as many that join) during the churn phase")
	verbose := fs.Bool("v", false, "print progress to stderr")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	memprofile := fs.String("memprofile", "", "write a heap profile to this file after the last run")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "tincan-sim: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ns, err := parseSizes(*sizes)
	if *quick {
		ns, err = []int{300, 1000}, nil
		*lookups, *setups, *churnSetups = 100, 40, 60
		if *floods == 0 {
			*floods = 5
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "tincan-sim: -n: %v\n", err)
		return 2
	}
	if *churn < 0 || *churn > 0.9 {
		fmt.Fprintln(stderr, "tincan-sim: -churn must be between 0 and 0.9")
		return 2
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "tincan-sim: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "tincan-sim: cpu profile: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	// Routing state for 50,000 nodes is about 1.2 GiB live; keep the heap's
	// headroom, and so the process, within a few GiB.
	debug.SetMemoryLimit(5 << 29)
	var results []*result
	for _, n := range ns {
		sc := scenario{n: n, seed: *seed, lookups: *lookups, setups: *setups, floods: *floods,
			churnSetups: *churnSetups, churn: *churn, verbose: *verbose, log: stderr}
		if sc.floods == 0 {
			switch {
			case n <= 1000:
				sc.floods = 10
			case n <= 10000:
				sc.floods = 3
			default:
				sc.floods = 1 // a flood reaches every node: one is representative
			}
		}
		res, err := sc.run()
		if err != nil {
			fmt.Fprintf(stderr, "tincan-sim: N=%d: %v\n", n, err)
			return 1
		}
		results = append(results, res)
	}
	met := report(stdout, *seed, results)
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			fmt.Fprintf(stderr, "tincan-sim: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			fmt.Fprintf(stderr, "tincan-sim: heap profile: %v\n", err)
			return 1
		}
	}
	if !met {
		fmt.Fprintln(stderr, "tincan-sim: a target was missed")
		return 1
	}
	return 0
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 20 || n > 200000 {
			return nil, fmt.Errorf("size %q: want an integer from 20 to 200000", f)
		}
		out = append(out, n)
	}
	return out, nil
}
