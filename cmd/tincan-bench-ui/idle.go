package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"tincan/ui"
)

// idleProfile names a file for a CPU profile of the focused sample.
var idleProfile = flag.String("idle-profile", "", "write a CPU profile of the focused idle sample to this file (idle)")

// idleMessages is the conversation the idle measurement opens.
const idleMessages = 200

// runIdle opens a 200-message conversation in the real window, then
// samples the process's CPU for idleFor with the composer focused (its
// cursor blinking) and for idleFor with nothing focused, and prints both
// as a share of one core.
func runIdle(idleFor time.Duration) error {
	dir, err := os.MkdirTemp("", "tincan-bench-idle")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	n, err := home(dir, idleMessages)
	if err != nil {
		return err
	}
	defer n.Close()

	a, m := openWindow(n)
	type result struct {
		focused, unfocused float64
		err                error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.focused, r.unfocused, r.err = idleSamples(m, idleFor)
		done <- r
		fyne.Do(a.Quit)
	}()
	a.Run()
	m.Stop()
	r := <-done
	if r.err != nil {
		return r.err
	}
	fmt.Printf("idle CPU in a %d-message conversation: composer focused %.1f%% of a core, unfocused %.1f%% (%s each)\n",
		idleMessages, r.focused, r.unfocused, idleFor)
	return nil
}

// idleSamples opens Ben's chat (which focuses the composer), lets the
// window settle, samples, unfocuses, and samples again.
func idleSamples(m *ui.Main, idleFor time.Duration) (focused, unfocused float64, err error) {
	time.Sleep(2 * time.Second) // the window opens and the contact list loads
	fyne.DoAndWait(func() { m.OpenChat("Ben") })
	time.Sleep(3 * time.Second) // the history loads and is drawn
	var hasFocus bool
	fyne.DoAndWait(func() { hasFocus = m.Window().Canvas().Focused() != nil })
	if !hasFocus {
		return 0, 0, fmt.Errorf("opening the chat did not focus the composer")
	}
	if *idleProfile != "" {
		f, err := os.Create(*idleProfile)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 0, 0, err
		}
	}
	focused, err = cpuShare(idleFor)
	if *idleProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return 0, 0, err
	}
	fyne.DoAndWait(func() { m.Window().Canvas().Unfocus() })
	time.Sleep(time.Second)
	if unfocused, err = cpuShare(idleFor); err != nil {
		return 0, 0, err
	}
	return focused, unfocused, nil
}

// cpuShare is the CPU this process uses over d, in percent of one core.
func cpuShare(d time.Duration) (float64, error) {
	before, err := cpuTicks()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	time.Sleep(d)
	after, err := cpuTicks()
	if err != nil {
		return 0, err
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	used := float64(after-before) / ticksPerSecond
	return 100 * used / time.Since(start).Seconds(), nil
}

// cpuTicks reads utime+stime from /proc/self/stat, in clock ticks.
func cpuTicks() (uint64, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, fmt.Errorf("read /proc/self/stat: %w", err)
	}
	// The command name may hold spaces: fields start after its ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc/self/stat: no ')'")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("parse /proc/self/stat: %d fields", len(f))
	}
	// f[0] is field 3 (state): utime is field 14, stime field 15.
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parse /proc/self/stat: utime %v, stime %v", err1, err2)
	}
	return ut + st, nil
}
