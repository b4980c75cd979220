//go:build linux

package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"tincan/core/call/quality"
	"tincan/natlab"
)

// callDir is one direction of a call: the speaker's clip against what the
// listener's WAV device wrote.
type callDir struct {
	Report  quality.Report `json:"report"`
	Carried float64        `json:"carried"` // share of the clip's windows found in what was heard
	Err     string         `json:"error,omitempty"`
}

// lagMs is the direction's delay in milliseconds.
func (d callDir) lagMs() int64 { return int64(d.Report.Lag) * 1000 / quality.SampleRate }

// callResult is what one call across the lab did.
type callResult struct {
	Caller    string              `json:"caller"` // site names
	Callee    string              `json:"callee"`
	KindA     natlab.Kind         `json:"kind_caller"`
	KindB     natlab.Kind         `json:"kind_callee"`
	Want      string              `json:"want"`   // the path the call must take
	PathA     string              `json:"path_a"` // each side's .call.path at the end of the speech
	PathB     string              `json:"path_b"`
	Relay     string              `json:"relay,omitempty"`    // the relay, as the caller sees it
	RemoteA   string              `json:"remote_a,omitempty"` // where each side sends UDP media
	RemoteB   string              `json:"remote_b,omitempty"`
	Ring      time.Duration       `json:"ring"`   // from `call` to the callee ringing
	Active    time.Duration       `json:"active"` // from `call` to both active (the answer given at once)
	UDP       time.Duration       `json:"udp"`    // from `call` to both on punched-udp; 0: never
	SentA     uint64              `json:"sent_a"`
	ReceivedA uint64              `json:"received_a"`
	SentB     uint64              `json:"sent_b"`
	ReceivedB uint64              `json:"received_b"`
	AB        callDir             `json:"a_to_b"` // the caller's speech as the callee heard it
	BA        callDir             `json:"b_to_a"`
	Err       string              `json:"error,omitempty"`
	Logs      map[string][]string `json:"logs,omitempty"` // each side's call log lines, on failure
}

// path is the path both sides agree on, or both.
func (r callResult) path() string {
	a, b := orDash(r.PathA), orDash(r.PathB)
	if a == b {
		return a
	}
	return a + "/" + b
}

// failures lists why the call fails the lab's rules; none means it passes.
func (r callResult) failures() []string {
	var out []string
	if r.Err != "" {
		return append(out, r.Err)
	}
	if r.PathA != r.Want || r.PathB != r.Want {
		out = append(out, fmt.Sprintf("media took %s, want %s", r.path(), r.Want))
	}
	for _, d := range []struct {
		from, to string
		d        callDir
	}{{r.Caller, r.Callee, r.AB}, {r.Callee, r.Caller, r.BA}} {
		switch {
		case d.d.Err != "":
			out = append(out, fmt.Sprintf("%s -> %s: %s", d.from, d.to, d.d.Err))
		case d.d.Carried < minCarried:
			out = append(out, fmt.Sprintf("%s -> %s: %.0f%% of the speech heard, want %.0f%%", d.from, d.to, d.d.Carried*100, minCarried*100))
		case d.d.Report.Lag > maxLag:
			out = append(out, fmt.Sprintf("%s -> %s: heard %dms late", d.from, d.to, d.d.lagMs()))
		}
	}
	return out
}

// writeCallDetails prints a call's verdict, both directions' measures and,
// when it failed, each side's call log lines.
func writeCallDetails(w io.Writer, r callResult) {
	verdict := "ok"
	if f := r.failures(); len(f) > 0 {
		verdict = "FAIL: " + strings.Join(f, "; ")
	}
	via := ""
	switch {
	case r.Relay != "":
		via = " via " + r.Relay
	case r.RemoteA != "" || r.RemoteB != "":
		via = fmt.Sprintf(" (%s sends to %s, %s to %s)", r.Caller, orDash(r.RemoteA), r.Callee, orDash(r.RemoteB))
	}
	fmt.Fprintf(w, "call %s -> %s (%s x %s): %s%s, ringing %s, active %s, udp %s, packets sent/received %d/%d and %d/%d | %s\n",
		r.Caller, r.Callee, r.KindA.Short(), r.KindB.Short(), r.path(), via, ms(r.Ring), ms(r.Active), msOrDash(r.UDP),
		r.SentA, r.ReceivedA, r.SentB, r.ReceivedB, verdict)
	if r.Err == "" {
		fmt.Fprintf(w, "  %s -> %s: %s, %.0f%% of the speech carried\n", r.Caller, r.Callee, r.AB.Report, r.AB.Carried*100)
		fmt.Fprintf(w, "  %s -> %s: %s, %.0f%% of the speech carried\n", r.Callee, r.Caller, r.BA.Report, r.BA.Carried*100)
	}
	for _, site := range []string{r.Caller, r.Callee} {
		if lines, ok := r.Logs[site]; ok {
			fmt.Fprintf(w, "  %s's call log (%d lines):\n", site, len(lines))
			for _, l := range lines {
				fmt.Fprintf(w, "    %s\n", l)
			}
		}
	}
}

// writeCallTable prints one row per call.
func writeCallTable(w io.Writer, results []callResult) {
	fmt.Fprintf(w, "%-16s %-12s %-12s %-8s %-8s %-24s %-24s %s\n", "call", "want", "path", "active", "udp",
		"a>b lag STOI carried", "b>a lag STOI carried", "verdict")
	for _, r := range results {
		verdict := "ok"
		if len(r.failures()) > 0 {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "%-16s %-12s %-12s %-8s %-8s %-24s %-24s %s\n", r.Caller+" -> "+r.Callee, r.Want, r.path(),
			ms(r.Active), msOrDash(r.UDP), dirCell(r, r.AB), dirCell(r, r.BA), verdict)
	}
	fmt.Fprintf(w, "call: caller -> callee, %v of speech each way; active: from 'call' to both active (the callee answers\n", talk)
	fmt.Fprintln(w, "      when it rings); udp: to both on punched-udp; a>b: the caller's speech in what the callee heard")
	fmt.Fprintf(w, "      (lag, STOI of the aligned overlap, share of half-second windows found with correlation >= %.1f)\n", minCorr)
}

func dirCell(r callResult, d callDir) string {
	if r.Err != "" || d.Err != "" {
		return "-"
	}
	return fmt.Sprintf("%dms %.2f %.0f%%", d.lagMs(), d.Report.STOI, d.Carried*100)
}

func msOrDash(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return ms(d)
}
