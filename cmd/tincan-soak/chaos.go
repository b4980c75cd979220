//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// The fault kinds, each taken once per round in a seeded random order.
const (
	faultKill = "kill"
	faultNet  = "net"
	faultDisk = "disk"
)

var faultKinds = []string{faultKill, faultNet, faultDisk}

// faultSpan is the traffic time a fault needs left to strike and be checked.
var faultSpan = map[string]time.Duration{faultKill: 10 * time.Second, faultNet: 12 * time.Second, faultDisk: 25 * time.Second}

// chaos applies one fault at a time at random moments until stop; the fault
// under way is always undone before it returns.
func (s *soak) chaos(stop <-chan struct{}, end time.Time, rng *rand.Rand) {
	for {
		for _, i := range rng.Perm(len(faultKinds)) {
			gap := s.cfg.gapMin + time.Duration(rng.Int64N(int64(s.cfg.gapMax-s.cfg.gapMin)+1))
			select {
			case <-stop:
				return
			case <-time.After(gap):
			}
			d := s.ds[rng.IntN(len(s.ds))]
			if time.Until(end) < faultSpan[faultKinds[i]] {
				continue // too late: the traffic would stop before the fault's checks
			}
			s.mu.Lock()
			s.faults[faultKinds[i]]++
			s.mu.Unlock()
			switch faultKinds[i] {
			case faultKill:
				s.killFault(rng, d)
			case faultNet:
				s.netFault(rng, d)
			case faultDisk:
				s.diskFault(rng, d)
			}
		}
	}
}

// killFault SIGKILLs d (half the time while one of its sends is under way),
// keeps it down 1-5 s and restarts it.
func (s *soak) killFault(rng *rand.Rand, d *daemon) {
	mid := false
	if rng.IntN(2) == 0 {
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) && !d.inSend.Load() {
			time.Sleep(2 * time.Millisecond)
		}
		if mid = d.inSend.Load(); mid {
			// Strike somewhere in a send's usual span, so that some kills
			// land after the commit and before the answer.
			time.Sleep(time.Duration(rng.Int64N(int64(s.typicalSend(d.name)) + 1)))
		}
	}
	s.setState(d.name, func(f *faultState) { f.down = true; f.kills++ })
	d.kill()
	down := time.Second + time.Duration(rng.Int64N(int64(4*time.Second)))
	time.Sleep(down)
	t := time.Now()
	err := d.start()
	if err == nil {
		err = d.waitReady(time.Minute)
	}
	s.setState(d.name, func(f *faultState) { f.down = false })
	if err != nil {
		s.problem("%s will not restart after SIGKILL: %v", d.name, err)
		return
	}
	s.logf("kill %s (SIGKILL%s), down %.1fs, answering again %.1fs after restart", d.name, map[bool]string{true: " during a send"}[mid], down.Seconds(), time.Since(t).Seconds())
}

// typicalSend is the median time of d's accepted sends so far (20 ms before any).
func (s *soak) typicalSend(name string) time.Duration {
	var ds []time.Duration
	for _, r := range s.led.from(name, time.Time{}) {
		if r.accepted {
			ds = append(ds, r.end.Sub(r.start))
		}
	}
	if len(ds) == 0 {
		return 20 * time.Millisecond
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// netFault drops every packet of d's namespace for 2-10 s.
func (s *soak) netFault(rng *rand.Rand, d *daemon) {
	hold := 2*time.Second + time.Duration(rng.Int64N(int64(8*time.Second)))
	if err := dropNet(context.Background(), d.net.ns, true); err != nil {
		s.problem("cutting %s's network: %v", d.name, err)
		return
	}
	time.Sleep(hold)
	if err := dropNet(context.Background(), d.net.ns, false); err != nil {
		s.problem("restoring %s's network: %v", d.name, err)
		return
	}
	s.logf("network of %s dropped for %.1fs", d.name, hold.Seconds())
}

// fillName is the file that fills a home's tmpfs.
const fillName = "soak-fill"

// diskFault fills d's home until its sends are refused, checks the refusal
// is a plain sentence and that every message d had committed is still in its
// history, frees the space and checks d sends again.
func (s *soak) diskFault(rng *rand.Rand, d *daemon) {
	s.setState(d.name, func(f *faultState) { f.diskFull = true })
	fillAt := time.Now()
	n, err := fill(filepath.Join(d.net.home, fillName))
	if err != nil {
		s.problem("filling %s's disk: %v", d.name, err)
	}
	full := time.Now()
	// Hold the disk full until at least three sends were tried after it
	// filled and one was refused, or 20 s.
	minHold := time.Duration(rng.Int64N(int64(3 * time.Second)))
	var tried, refused int
	for deadline := full.Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		tried, refused = 0, 0
		for _, r := range s.led.from(d.name, full) {
			tried++
			if !r.accepted {
				refused++
			}
		}
		if tried >= 3 && refused > 0 && time.Since(full) >= minHold {
			break
		}
	}
	s.checkCommitted(d, fillAt)
	alive := d.running()
	if alive && rng.IntN(3) == 0 {
		s.restartFull(d)
	}
	if err := os.Remove(filepath.Join(d.net.home, fillName)); err != nil {
		s.problem("freeing %s's disk: %v", d.name, err)
	}
	freed := time.Now()
	s.setState(d.name, func(f *faultState) { f.diskFull = false })
	s.logf("disk of %s full (%d MiB written) for %.1fs: %d sends tried, %d refused", d.name, n>>20, freed.Sub(full).Seconds(), tried, refused)
	if refused == 0 {
		// SQLite reuses its write-ahead log's space: a full disk refuses
		// only the commits that need the log to grow. The sends accepted
		// meanwhile were committed, and the final check holds them to it.
		s.logf("%s accepted all %d sends on its full disk (room in its own files)", d.name, tried)
	}
	for _, r := range s.led.from(d.name, fillAt) {
		if r.reason == reasonDiskFull && !clearError(r.code, r.errText) {
			s.problem("%s's send on a full disk failed without a plain sentence: exit %d: %q", d.name, r.code, r.errText)
			break
		}
	}
	if !alive {
		s.problem("%s exited while its disk was full", d.name)
	}
	if !d.running() {
		s.setState(d.name, func(f *faultState) { f.down = true; f.kills++ })
		err := d.start()
		if err == nil {
			err = d.waitReady(time.Minute)
		}
		s.setState(d.name, func(f *faultState) { f.down = false })
		if err != nil {
			s.problem("%s will not restart after its disk was full: %v", d.name, err)
			return
		}
	}
	// Sending must resume once there is space.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		for _, r := range s.led.from(d.name, freed) {
			if r.accepted {
				return
			}
		}
		if time.Now().After(deadline) {
			s.problem("%s's sends were not accepted again within 20 s of freeing its disk: %s", d.name, lastError(s.led.from(d.name, freed)))
			return
		}
	}
}

// restartFull kills d while its disk is full and starts it again on the full
// disk: it may come up or refuse, but must say why when it refuses (logged);
// diskFault then frees the space and requires it to start.
func (s *soak) restartFull(d *daemon) {
	s.setState(d.name, func(f *faultState) { f.down = true; f.kills++ })
	d.kill()
	err := d.start()
	if err == nil {
		err = d.waitReady(20 * time.Second)
	}
	if err != nil {
		d.kill()
		s.logf("%s killed and started on its full disk: it did not come up; its log ends: %s", d.name, d.logTail(300))
		return // down stays set: diskFault restarts it once there is space
	}
	s.setState(d.name, func(f *faultState) { f.down = false })
	s.logf("%s killed and started again on its full disk: it came up", d.name)
}

// checkCommitted reads d's histories while its disk is full: every send d
// had confirmed before the disk filled must be there, once.
func (s *soak) checkCommitted(d *daemon, before time.Time) {
	want := map[string]bool{}
	for _, r := range s.led.all() {
		if r.from == d.name && r.accepted && r.end.Before(before) {
			want[r.text] = true
		}
	}
	for _, p := range s.ds {
		if p == d {
			continue
		}
		var es []histEntry
		if err := d.cliJSON(&es, "history", p.name); err != nil {
			s.problem("reading %s's history with %s on a full disk: %v", d.name, p.name, err)
			return
		}
		for _, e := range es {
			if e.Direction == "out" && want[e.Text] {
				delete(want, e.Text)
			}
		}
	}
	if len(want) > 0 {
		s.problem("%s's history on a full disk lacks %d messages it had accepted before", d.name, len(want))
	}
}

// fill writes zeros to path until the file system is full; it returns the bytes written.
func fill(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	var n int64
	for _, size := range []int{1 << 20, 4 << 10, 512} {
		buf := make([]byte, size)
		for {
			k, err := f.Write(buf)
			n += int64(k)
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				return n, fmt.Errorf("write %s: %w", path, err)
			}
		}
	}
	return n, nil
}

// clearError reports whether a refused send said why in one plain line:
// exit 1, a sentence naming the disk or space, no engine codes or package words.
func clearError(code int, msg string) bool {
	low := strings.ToLower(msg)
	if code != 1 || msg == "" || strings.Contains(msg, "\n") {
		return false
	}
	if !strings.Contains(low, "disk") && !strings.Contains(low, "space") && !strings.Contains(low, "storage") {
		return false
	}
	for _, bad := range []string{"sqlite", "(13)", "%!", "0x", "errno"} {
		if strings.Contains(low, bad) {
			return false
		}
	}
	return true
}

func lastError(recs []*sendRec) string {
	if len(recs) == 0 {
		return "no send was tried"
	}
	r := recs[len(recs)-1]
	return fmt.Sprintf("the last said exit %d: %q", r.code, r.errText)
}
