//go:build linux

package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// printReport prints the runs side by side, then every failure found.
func printReport(w io.Writer, rs []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(label string, f func(r result) string) {
		cells := []string{label}
		for _, r := range rs {
			cells = append(cells, f(r))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	row("", func(r result) string {
		if r.cfg.faults {
			return "with faults"
		}
		return "no faults"
	})
	row("daemons", func(r result) string { return fmt.Sprint(r.cfg.daemons) })
	row("traffic", func(r result) string { return fmt.Sprintf("%s at %.2g msg/s each", r.cfg.duration, r.cfg.rate) })
	row("faults (kill/net/disk)", func(r result) string {
		return fmt.Sprintf("%d/%d/%d", r.faults[faultKill], r.faults[faultNet], r.faults[faultDisk])
	})
	row("sends tried", func(r result) string { return fmt.Sprint(r.v.attempted) })
	row("sent (CLI accepted)", func(r result) string { return fmt.Sprint(r.v.accepted) })
	row("delivered (both histories once)", func(r result) string { return fmt.Sprint(r.v.delivered) })
	row("not accepted", func(r result) string { return fmt.Sprint(r.v.unconfirmed) })
	row("  of those, in both histories", func(r result) string { return fmt.Sprint(r.v.unconfirmedDelivered) })
	row("  of those, in neither", func(r result) string { return fmt.Sprint(r.v.unconfirmedAbsent) })
	row("duplicates (must be 0)", func(r result) string { return fmt.Sprint(r.v.duplicates) })
	row("lost (must be 0)", func(r result) string { return fmt.Sprint(r.v.lost + r.v.halves) })
	row("out of order (must be 0)", func(r result) string { return fmt.Sprint(r.v.misordered) })
	row("latency p50 (sent_at to receiver's at)", func(r result) string { return ms(percentile(r.v.latencies, 50)) })
	row("latency p99", func(r result) string { return ms(percentile(r.v.latencies, 99)) })
	row("latency max", func(r result) string { return ms(percentile(r.v.latencies, 100)) })
	row("outboxes empty after", func(r result) string { return fmt.Sprintf("%.1fs", r.drained.Seconds()) })
	for _, name := range names {
		if _, ok := rs[len(rs)-1].peakKB[name]; !ok {
			continue
		}
		row("peak RSS "+name+" (VmHWM)", func(r result) string { return fmt.Sprintf("%.1f MiB", float64(r.peakKB[name])/1024) })
	}
	row("verdict", func(r result) string {
		if r.ok() {
			return "PASS"
		}
		return "FAIL"
	})
	tw.Flush()
	for _, r := range rs {
		label := "no faults"
		if r.cfg.faults {
			label = fmt.Sprintf("with faults (seed %d)", r.cfg.seed)
		}
		if len(r.diskMsgs) > 0 {
			fmt.Fprintf(w, "\n%s: what a send said when the disk was full:\n", label)
			for _, m := range sortedKeys(r.diskMsgs) {
				fmt.Fprintf(w, "  %dx %s\n", r.diskMsgs[m], m)
			}
		}
		if len(r.errors) > 0 {
			fmt.Fprintf(w, "\n%s: every send not accepted, by reason:\n", label)
			for _, e := range r.errors {
				fmt.Fprintf(w, "  %s\n", e)
			}
		}
		if len(r.problems) > 0 || len(r.v.examples) > 0 {
			fmt.Fprintf(w, "\n%s: FAILURES\n", label)
			for _, p := range r.problems {
				fmt.Fprintf(w, "  %s\n", p)
			}
			for _, e := range r.v.examples {
				fmt.Fprintf(w, "  %s\n", e)
			}
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
