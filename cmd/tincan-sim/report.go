package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"tincan/core/overlay"
)

func log2(n int) float64 { return math.Log2(float64(n)) }

func pct(ok, total int) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(ok)/float64(total))
}

func percentile(sorted []int, p float64) int {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// report prints one column per network size, then each target's verdict,
// and says whether every target was met.
func report(w io.Writer, seed uint64, rs []*result) bool {
	missed := 0
	mark := func(ok bool) string {
		if ok {
			return "ok"
		}
		missed++
		return "MISSED"
	}
	p := overlay.DefaultParams()
	fmt.Fprintf(w, "tincan-sim: seed %d, k=%d, alpha=%d, flood TTL %d; in-memory network, 10-80 ms links, fake clock;\n",
		seed, p.K, p.Alpha, p.FloodTTL)
	fmt.Fprintf(w, "RSA is a counting stand-in (every node's user holds a stand-in key, so a flood costs each node it reaches one trial decryption)\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, f func(r *result) string) {
		cells := []string{name}
		for _, r := range rs {
			cells = append(cells, f(r))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	row("", func(r *result) string { return fmt.Sprintf("N=%d", r.n) })
	row("log2 N", func(r *result) string { return fmt.Sprintf("%.1f", log2(r.n)) })
	row("routing table entries: mean", func(r *result) string { return fmt.Sprintf("%.1f", r.tableMean) })
	row("routing table entries: max", func(r *result) string { return fmt.Sprint(r.tableMax) })
	row("  (bound 20*log2 N)", func(r *result) string { return fmt.Sprintf("%.0f", 20*log2(r.n)) })
	row("lookup hops: p50", func(r *result) string { return fmt.Sprint(percentile(r.hops, 0.5)) })
	row("lookup hops: p99", func(r *result) string { return fmt.Sprint(percentile(r.hops, 0.99)) })
	row("lookups ending at the true k closest", func(r *result) string { return pct(r.exact, r.lookupsDone) })
	row("rendezvous: messages per set-up", func(r *result) string { return fmt.Sprintf("%.1f", r.rdvMsgs) })
	row("rendezvous: RSA decryptions, non-receivers", func(r *result) string { return fmt.Sprint(r.rdvDecryptsOthers) })
	row("rendezvous: RSA decryptions, receivers", func(r *result) string { return fmt.Sprint(r.rdvDecryptsReceivers) })
	row("rendezvous: success", func(r *result) string { return pct(r.rdvOK, r.rdvRuns) })
	row("flood: messages per set-up", func(r *result) string { return fmt.Sprintf("%.0f", r.floodMsgs) })
	row("flood: RSA decryptions per set-up", func(r *result) string { return fmt.Sprintf("%.0f", r.floodDecrypts) })
	row("flood: success", func(r *result) string { return pct(r.floodOK, r.floodRuns) })
	row("churn: nodes left / joined", func(r *result) string { return fmt.Sprintf("%d/%d", r.left, r.joined) })
	row("churn: set-ups", func(r *result) string { return fmt.Sprint(r.churnRuns) })
	row("churn: success by rendezvous alone", func(r *result) string { return pct(r.churnRdvOK, r.churnRuns) })
	row("churn: success with flood fallback", func(r *result) string { return pct(r.churnOK, r.churnRuns) })
	row("churn: set-ups that fell back to the flood", func(r *result) string { return fmt.Sprint(r.churnRuns - r.churnRdvOK) })
	row("upkeep: messages per node per hour", func(r *result) string { return fmt.Sprintf("%.0f", r.upkeep) })
	row("heap after run (MiB)", func(r *result) string { return fmt.Sprintf("%.0f", r.heapMB) })
	row("events simulated", func(r *result) string { return fmt.Sprint(r.events) })
	row("simulated time", func(r *result) string { return r.simTime.Round(1e9).String() })
	row("wall time", func(r *result) string { return r.wall.Round(1e8).String() })
	tw.Flush()

	fmt.Fprintln(w, "\ntargets:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rs {
		fmt.Fprintf(tw, "N=%d\ttable max %d <= 20*log2 N = %.0f\t%s\n", r.n, r.tableMax, 20*log2(r.n), mark(float64(r.tableMax) <= 20*log2(r.n)))
		p99 := percentile(r.hops, 0.99)
		fmt.Fprintf(tw, "\tlookup p99 %d <= log2 N = %.1f\t%s\n", p99, log2(r.n), mark(float64(p99) <= log2(r.n)))
		fmt.Fprintf(tw, "\trendezvous %.1f < 100 messages\t%s\n", r.rdvMsgs, mark(r.rdvMsgs < 100))
		fmt.Fprintf(tw, "\trendezvous RSA decryptions by non-receivers %d == 0\t%s\n", r.rdvDecryptsOthers, mark(r.rdvDecryptsOthers == 0))
		fmt.Fprintf(tw, "\tset-up success under churn %s >= 99%%\t%s\n", pct(r.churnOK, r.churnRuns),
			mark(r.churnRuns > 0 && float64(r.churnOK) >= 0.99*float64(r.churnRuns)))
	}
	tw.Flush()
	return missed == 0
}
