// Command tincan-bench-call measures tincan's voice call pipeline end to
// end and prints one markdown table for docs/CALLS.md: two real call
// engines in this process (capture from a WAV device, encode, seal, UDP
// through a stun.Mux, the impairing proxy, open, jitter buffer, decode,
// play into a WAV file) talk through core/call/impair at 0% loss, 5% loss,
// and 15% loss with 30 ms jitter. Every figure stands beside its baseline
// from the same run: the same speech through Opus alone (the ceiling), the
// same pipeline with ToxAV's fixed 3-frame buffer and no FEC (the anchor),
// the WAV devices looped back without a network (what is subtracted from
// the delay), and an idle stretch of this process (what is subtracted from
// the CPU). The echo row runs the canceller on aec.Measure's simulated
// echo path.
//
// It never sends anything off the loopback interface, and exits non-zero
// only when it cannot run; a missed target is printed as NOT met.
//
// Usage: tincan-bench-call [-seed 1] [-runs 1] [-quick]
// [-speech-a assets/speech/speech-a.wav] [-speech-b assets/speech/speech-b.wav]
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	o := defaultOptions()
	flag.Uint64Var(&o.Seed, "seed", o.Seed, "seeds the proxy's losses and jitter and the echo simulation")
	flag.IntVar(&o.Runs, "runs", o.Runs, "calls per condition; each figure is the median over the runs")
	flag.StringVar(&o.SpeechA, "speech-a", o.SpeechA, "the caller's speech (a WAV)")
	flag.StringVar(&o.SpeechB, "speech-b", o.SpeechB, "the callee's speech (a WAV)")
	flag.BoolVar(&o.Quick, "quick", o.Quick, "only 0% and 5% loss (a smoke run for CI)")
	flag.StringVar(&o.Dir, "dir", "", "where the WAV files of the calls go (default: a temporary directory, removed)")
	flag.Parse()
	o.Progress = os.Stderr
	res, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tincan-bench-call:", err)
		os.Exit(1)
	}
	printReport(os.Stdout, o, res)
}
