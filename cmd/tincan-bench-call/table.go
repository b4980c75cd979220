package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"
)

// Thresholds of the targets (issue 10).
const (
	targetDelayMs    = 60.0 // pipeline one-way delay at 0% loss, below
	targetStoiStep   = 0.03 // STOI at 5% loss within this of 0% loss
	targetAboveToxAV = 0.02 // STOI above the ToxAV-style anchor by at least this at 5% and 15%
	targetCPU        = 5.0  // % of one core per call, below
	targetERLE       = 20.0 // dB, above
)

// verdict is "met" or "NOT met".
func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**NOT met**"
}

// num formats v with prec decimals, "n/a" for NaN.
func num(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

// ratio formats a/b as "×r".
func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "×n/a"
	}
	return "×" + num(a/b, 2)
}

// signed formats v with a sign.
func signed(v float64, prec int) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%+.*f", prec, v)
}

// printReport writes the table, the targets and the settings.
func printReport(w io.Writer, o options, r *results) {
	var b strings.Builder
	nc := len(r.Conds)
	row := func(name string, cell func(ci int) string, target string) {
		cells := make([]string, 0, 3)
		for ci := range 3 {
			if ci < nc {
				cells = append(cells, cell(ci))
			} else {
				cells = append(cells, "not run (-quick)")
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, strings.Join(cells, " | "), target)
	}
	med := func(calls [][]callResult, ci int, f func(callResult) float64) float64 { return median(calls[ci], f) }

	fmt.Fprintf(&b, "| row | %s | target |\n", strings.Join(columnNames(), " | "))
	b.WriteString("|---|---|---|---|---|\n")

	// Delay.
	delay := func(calls [][]callResult, ci int) float64 { return med(calls, ci, r.pipelineDelay) }
	d0 := delay(r.Tincan, 0)
	row(fmt.Sprintf("pipeline one-way delay excl. device buffers and the network's %v (cross-correlation of in and out), ms", netDelay),
		func(ci int) string {
			t, x := delay(r.Tincan, ci), delay(r.ToxAV, ci)
			lo := med(r.Tincan, ci, func(c callResult) float64 { l, _ := r.delayRange(c); return l })
			hi := med(r.Tincan, ci, func(c callResult) float64 { _, h := r.delayRange(c); return h })
			return fmt.Sprintf("**%s** (%s to %s during the call) · ToxAV-style %s (%s)", num(t, 0), num(lo, 0), num(hi, 0), num(x, 0), ratio(t, x))
		},
		fmt.Sprintf("< %.0f ms at 0%%: %s (%s)", targetDelayMs, verdict(d0 < targetDelayMs), num(d0, 0)))

	// Concealment.
	row("frames concealed / recovered by FEC, of frames lost (both directions)",
		func(ci int) string {
			return fmt.Sprintf("**%s / %s** of %s · ToxAV-style %s / %s of %s",
				num(med(r.Tincan, ci, concealed), 0), num(med(r.Tincan, ci, recovered), 0), num(med(r.Tincan, ci, lost), 0),
				num(med(r.ToxAV, ci, concealed), 0), num(med(r.ToxAV, ci, recovered), 0), num(med(r.ToxAV, ci, lost), 0))
		}, "–")

	// Quality.
	q := func(calls [][]callResult, ci int) string {
		return fmt.Sprintf("STOI **%s** · segSNR %s dB · LSD %s dB (one alignment for the whole file: STOI %s)",
			num(med(calls, ci, stoi), 3), num(med(calls, ci, segSNR), 1), num(med(calls, ci, lsd), 2), num(med(calls, ci, wholeSTOI), 3))
	}
	s0, s5 := med(r.Tincan, 0, stoi), math.NaN()
	if nc > 1 {
		s5 = med(r.Tincan, 1, stoi)
	}
	row("objective quality vs the input, re-aligned per 250 ms: STOI (headline), segmental SNR, log-spectral distance",
		func(ci int) string { return q(r.Tincan, ci) },
		fmt.Sprintf("5%% within %.2f STOI of 0%%: %s (%s)", targetStoiStep, verdict(s5 >= s0-targetStoiStep), signed(s5-s0, 3)))

	// Ceiling.
	row("same speech through Opus alone, no network (the ceiling), at the calls' bitrate; call ÷ ceiling",
		func(ci int) string {
			c := r.Ceiling[ci]
			cs := (c.Dir[0].STOI + c.Dir[1].STOI) / 2
			return fmt.Sprintf("STOI %s · segSNR %s dB · LSD %s dB at %d kb/s; call STOI %s",
				num(cs, 3), num((c.Dir[0].SegSNR+c.Dir[1].SegSNR)/2, 1), num((c.Dir[0].LSD+c.Dir[1].LSD)/2, 2),
				c.Bitrate/1000, ratio(med(r.Tincan, ci, stoi), cs))
		}, "–")

	// Anchor.
	above, aboveCells := true, []string{}
	for ci := 1; ci < nc; ci++ {
		d := med(r.Tincan, ci, stoi) - med(r.ToxAV, ci, stoi)
		above = above && d >= targetAboveToxAV
		aboveCells = append(aboveCells, signed(d, 3))
	}
	row("same speech with a fixed 3-frame buffer and PLC only (ToxAV's method, the anchor); tincan ÷ anchor",
		func(ci int) string {
			return fmt.Sprintf("%s; tincan STOI %s (%s)", q(r.ToxAV, ci),
				ratio(med(r.Tincan, ci, stoi), med(r.ToxAV, ci, stoi)), signed(med(r.Tincan, ci, stoi)-med(r.ToxAV, ci, stoi), 3))
		},
		fmt.Sprintf("≥ %.2f STOI above it at every loss: %s (%s)", targetAboveToxAV, verdict(above), strings.Join(aboveCells, ", ")))

	// Bitrate and CPU.
	cpuMax := math.Inf(-1)
	for ci := range nc {
		cpuMax = max(cpuMax, med(r.Tincan, ci, r.cpuPerCall))
	}
	row("bitrate (encoder target · Opus while talking · sealed UDP payload while talking), CPU per call (% of one core)",
		func(ci int) string {
			wire := func(c callResult) float64 { w, _ := talkingRates(c); return w }
			opus := func(c callResult) float64 { _, o := talkingRates(c); return o }
			t, x := med(r.Tincan, ci, r.cpuPerCall), med(r.ToxAV, ci, r.cpuPerCall)
			return fmt.Sprintf("%s · %s · %s kb/s; CPU **%s%%** · ToxAV-style %s%% (%s)",
				num(med(r.Tincan, ci, func(c callResult) float64 { return c.EncBitrate })/1000, 1),
				num(med(r.Tincan, ci, opus)/1000, 1), num(med(r.Tincan, ci, wire)/1000, 1),
				num(t, 2), num(x, 2), ratio(t, x))
		},
		fmt.Sprintf("CPU < %.0f%% of a core: %s (worst %s%%)", targetCPU, verdict(cpuMax < targetCPU), num(cpuMax, 2)))

	// Echo.
	if e := r.Echo; e != nil {
		row("echo: ERLE of the canceller on the simulated echo path (speexdsp, denoise on; far = speech A, near = speech B)",
			func(ci int) string {
				if ci > 0 {
					return "(no network: same as 0%)"
				}
				return fmt.Sprintf("ERLE **%s dB** (after double talk %s dB; no canceller 0 dB) · near end in double talk: segSNR %s dB, LSD %s dB (mic unprocessed %s dB, %s dB)",
					num(e.ERLE, 1), num(e.ERLEAfterTalk, 1), num(e.DoubleTalk.SegSNR, 1), num(e.DoubleTalk.LSD, 2),
					num(e.DoubleTalkIn.SegSNR, 1), num(e.DoubleTalkIn.LSD, 2))
			},
			fmt.Sprintf("> %.0f dB: %s", targetERLE, verdict(e.ERLE > targetERLE)))
	} else {
		row("echo: ERLE of the canceller on the simulated echo path", func(int) string { return "not run" }, "–")
	}
	fmt.Fprintln(w, b.String())
	printSettings(w, o, r)
	printDetails(w, r)
}

// columnNames are the three conditions' names, whether run or not.
func columnNames() []string {
	var n []string
	for _, c := range conditions(false) {
		n = append(n, c.Name)
	}
	return n
}

// printSettings says exactly what was run and what was subtracted.
func printSettings(w io.Writer, o options, r *results) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "- "+format+"\n", args...) }
	fmt.Fprintln(w, "Settings and method:")
	p("command: `tincan-bench-call -seed %d -runs %d%s` (%d call(s) per condition and method; each figure is the median over runs; whole run %v)",
		o.Seed, o.Runs, map[bool]string{true: " -quick", false: ""}[o.Quick], o.Runs, r.Elapsed.Round(time.Second))
	p("speech: caller plays %s (%v), callee %s (%v), each after %v of silence (the UDP punch completes in it); each call lasts %v; both directions at once; quality is the mean of both directions against the padded input, each 250 ms window of the input aligned on its own within ±200 ms of the whole-file lag (quality.Align) (the delay moves during a call: the adaptive buffer holds and skips frames, the playback queue under- and overruns; one alignment for the whole file scores that movement, not the speech, and is shown beside it), then quality.SegSNR, LSD and STOI on the re-aligned pair",
		o.SpeechA, r.SpeechLen[0].Round(10*time.Millisecond), o.SpeechB, r.SpeechLen[1].Round(10*time.Millisecond), o.Lead, r.CallLen.Round(10*time.Millisecond))
	p("pipeline: two call.Engines in one process, each with its own UDP socket on 127.0.0.1 and a stun.Mux, audio.NewWAV devices (20 ms periods, real time), echo canceller off (WAV devices have no acoustic echo); the SessionLink refuses every packet, so all media went over UDP through the proxy (%s packets refused before the path was up, median; the path was up on both sides %s ms after the caller's device started)",
		num(median(r.Tincan[0], func(c callResult) float64 { return float64(c.Refused) }), 0),
		num(median(r.Tincan[0], func(c callResult) float64 { return ms(c.PathAfter) }), 0))
	p("network: core/call/impair proxy between the two, both directions alike: %v fixed one-way delay; loss independent per datagram (audio, reports and punch probes alike); jitter uniform ±30 ms around the delay in the last column, order kept (a datagram never overtakes the one before: jitter bunches packets as a queue does); proxy seed = -seed + run index, the same for tincan and the anchor", netDelay)
	lo, _, hi := spread(append(append([]int(nil), r.Loop.Windows[0]...), r.Loop.Windows[1]...))
	p("delay row: mouth-to-ear lag from cross-correlation (quality.Align; the median over the 250 ms windows, each direction corrected for the time between the two devices' starts, then averaged; the range is the smallest and largest window), minus the device-only loop's lag (%s ms: its smallest window lag, the devices' own latency; its windows ranged from %s to %s ms with %d playback underruns and %d drops, the queue growing when the process is late, which the calls suffer too and is left in their figure; the same WAV devices and audio.Stream with a reader that writes back each frame it reads, no codec, no network, measured in this run), minus the proxy's configured %v",
		num(r.loopLag(), 1), num(lo, 0), num(hi, 0), r.Loop.Streams[0].Underruns+r.Loop.Streams[1].Underruns, r.Loop.Streams[0].Dropped+r.Loop.Streams[1].Dropped, netDelay)
	p("tincan: the default jitter.Config (adaptive, FEC on); anchor: jitter.Config{Fixed: 3, NoFEC: true}, same network and seed; the sender is the same (FEC is still encoded, as ToxAV sends it, never decoded)")
	p("ceiling: speech A and B encoded and decoded by core/call/codec at the tincan calls' median encoder bitrate for that column, DTX gaps concealed as the pipeline does, no network; the codec alone delays speech by %s ms (its look-ahead), which is part of the pipeline delay",
		num(ms(seconds(r.Ceiling[0].Dir[0].Lag)), 1))
	p("CPU: getrusage(RUSAGE_SELF) user+sys over the call ÷ wall time (both engines, the proxy and the WAV files: an upper bound), minus this process idle for %v (%s%% of a core), halved for the two parties", o.Idle, num(r.IdleCPU, 2))
	p("bitrate: the Media stats' Bitrate sampled every 100 ms, both parties; the Opus and sealed rates are audio bytes sent ÷ (audio packets × 20 ms), sealed = UDP payload (+28 B IPv4/UDP headers not counted), DTX silence sends nothing")
	how := "exact"
	if !r.countsExact() {
		how = "ESTIMATED for some calls from call.Stats (Concealed fraction, Recovered): their close log record was missing"
	}
	p("FEC/PLC counts: the jitter buffers' counters (from the call's close log record, %s), both receivers summed; 'lost' counts sequence numbers never played (lost on the wire, or late)", how)
	p("machine: load average %s at the start, %s at the end (%d CPUs); the devices run in real time, so a loaded machine shows as late packets, holds, skips and underruns", r.LoadStart, r.LoadEnd, runtime.NumCPU())
	p("targets: delay < %.0f ms at 0%% loss; STOI at 5%% within %.2f of 0%%; STOI ≥ %.2f above the anchor at 5%% and 15%%; CPU < %.0f%% of a core per call; ERLE > %.0f dB", targetDelayMs, targetStoiStep, targetAboveToxAV, targetCPU, targetERLE)
	fmt.Fprintln(w)
}

// printDetails prints the per-call figures behind the table, for diagnosis.
func printDetails(w io.Writer, r *results) {
	fmt.Fprintln(w, "Details (medians; counters summed over both receivers, delays averaged):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| condition | method | mouth to ear ms, A→B / B→A (window range) | STOI whole-file | jitter target ms | jitter mean delay ms | played | lost | late | concealed | FEC | held | skipped | silence | underruns | dropped (playout) | proxy dropped |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for ci, c := range r.Conds {
		for _, m := range []struct {
			name  string
			calls []callResult
		}{{"tincan", r.Tincan[ci]}, {"ToxAV-style", r.ToxAV[ci]}} {
			jc := func(name string) string {
				return num(median(m.calls, func(c callResult) float64 { n, _ := jitterSum(c, name); return n }), 0)
			}
			jd := func(name string) string {
				return num(median(m.calls, func(c callResult) float64 {
					var sum float64
					for _, d := range c.Dir {
						v, ok := duration(d.Jitter, name)
						if !ok {
							return math.NaN()
						}
						sum += ms(v) / 2
					}
					return sum
				}), 1)
			}
			sc := func(name string) string {
				return num(median(m.calls, func(c callResult) float64 {
					var sum float64
					for _, d := range c.Dir {
						v, ok := count(d.Stream, name)
						if !ok {
							return math.NaN()
						}
						sum += float64(v)
					}
					return sum
				}), 0)
			}
			pd := num(median(m.calls, func(c callResult) float64 { return float64(c.Proxy[0].Dropped + c.Proxy[1].Dropped) }), 0)
			sub := r.loopLag() + ms(netDelay)
			lo := median(m.calls, func(c callResult) float64 { l, _ := r.delayRange(c); return l + sub })
			hi := median(m.calls, func(c callResult) float64 { _, h := r.delayRange(c); return h + sub })
			ab := num(median(m.calls, func(c callResult) float64 { return ms(c.Dir[0].Delay) }), 1)
			ba := num(median(m.calls, func(c callResult) float64 { return ms(c.Dir[1].Delay) }), 1)
			fmt.Fprintf(w, "| %s | %s | %s / %s (%s–%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				c.Name, m.name, ab, ba, num(lo, 0), num(hi, 0), num(median(m.calls, wholeSTOI), 3), jd("TargetDelay"), jd("MeanDelay"),
				jc("Played"), jc("Lost"), jc("Late"), jc("Concealed"), jc("RecoveredFEC"), jc("Held"), jc("Skipped"), jc("Silence"),
				sc("Underruns"), sc("Dropped"), pd)
		}
	}
	fmt.Fprintln(w)
}
