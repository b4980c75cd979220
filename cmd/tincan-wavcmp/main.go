// Command tincan-wavcmp compares what a call carried: it aligns a degraded
// WAV (what was heard) with its reference (what was spoken) by
// cross-correlation and prints the delay and the quality measures.
//
// Usage: tincan-wavcmp REF.wav DEG.wav
package main

import (
	"fmt"
	"os"

	"tincan/core/audio"
	"tincan/core/call/quality"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tincan-wavcmp REF.wav DEG.wav")
		os.Exit(2)
	}
	ref, _, err := audio.ReadWAV(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "tincan-wavcmp:", err)
		os.Exit(1)
	}
	deg, _, err := audio.ReadWAV(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "tincan-wavcmp:", err)
		os.Exit(1)
	}
	r := quality.Compare(ref, deg)
	fmt.Printf("lag %.1f ms  corr %.3f  segSNR %.1f dB  LSD %.2f dB  STOI %.3f\n",
		float64(r.Lag)/48, r.Corr, r.SegSNR, r.LSD, r.STOI)
}
