package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"tincan/core/audio"
	"tincan/core/call/aec"
	"tincan/core/call/quality"
)

// ceiling is the same speech through Opus alone at the bitrate a
// condition's calls used.
type ceiling struct {
	Bitrate int
	Dir     [2]quality.Report // speech A, speech B
}

// results is everything one benchmark run measured.
type results struct {
	Conds     []condition
	Tincan    [][]callResult // [condition][run]
	ToxAV     [][]callResult // [condition][run]
	Ceiling   []ceiling      // [condition]
	Loop      loopResult
	IdleCPU   float64     // the idle process, % of one core
	Echo      *aec.Result // nil with NoEcho
	SpeechLen [2]time.Duration
	CallLen   time.Duration
	Elapsed   time.Duration
	LoadStart string // /proc/loadavg's 1, 5 and 15 minute figures
	LoadEnd   string
}

// run measures everything the table shows.
func run(o options) (*results, error) {
	start := time.Now()
	if o.Runs < 1 {
		return nil, errors.New("-runs must be at least 1")
	}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "tincan-bench-call-")
		if err != nil {
			return nil, fmt.Errorf("temp dir: %w", err)
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make %s: %w", dir, err)
	}

	res := &results{Conds: conditions(o.Quick), LoadStart: loadAvg()}
	var speech, refs [2][]int16
	var ins [2]string
	for i, p := range []string{o.SpeechA, o.SpeechB} {
		s, _, err := audio.ReadWAV(p)
		if err != nil {
			return nil, fmt.Errorf("speech: %w", err)
		}
		speech[i] = s
		res.SpeechLen[i] = seconds(len(s))
		if ins[i], refs[i], err = padded(dir, fmt.Sprintf("in-%c.wav", 'a'+i), s, o.Lead); err != nil {
			return nil, err
		}
	}
	longest := max(len(refs[0]), len(refs[1]))
	res.CallLen = seconds(longest) + o.Tail

	var err error
	o.progress("idle baseline: %v", o.Idle)
	if res.IdleCPU, err = idleCPU(o.Idle); err != nil {
		return nil, err
	}
	o.progress("device-only loop: %v", seconds(longest)+o.Tail/4)
	if res.Loop, err = deviceLoop(dir, ins, refs, seconds(longest)+o.Tail/4); err != nil {
		return nil, err
	}
	if !o.NoEcho {
		o.progress("echo canceller on the simulated echo path")
		r, err := aec.Measure(speech[1], speech[0], aec.SimConfig{Seed: o.Seed},
			func() (aec.Processor, error) { return aec.New(aec.Config{Denoise: true}) })
		if err != nil {
			return nil, fmt.Errorf("echo: %w", err)
		}
		res.Echo = &r
	}

	res.Tincan = make([][]callResult, len(res.Conds))
	res.ToxAV = make([][]callResult, len(res.Conds))
	for r := range o.Runs {
		seed := o.Seed + uint64(r)
		for ci, c := range res.Conds {
			for _, mc := range []struct {
				m   method
				out *[]callResult
			}{{adaptive, &res.Tincan[ci]}, {toxav, &res.ToxAV[ci]}} {
				m := mc.m
				o.progress("run %d/%d, %s, %s: a %v call", r+1, o.Runs, c.Name, m.Name, res.CallLen)
				cd := filepath.Join(dir, fmt.Sprintf("run%d-cond%d-%s", r+1, ci, m.Short))
				if err := os.MkdirAll(cd, 0o755); err != nil {
					return nil, fmt.Errorf("make %s: %w", cd, err)
				}
				cr, err := runCall(cd, c, m, seed, ins, refs, res.CallLen)
				if err != nil {
					return nil, fmt.Errorf("%s, %s, run %d: %w", c.Name, m.Name, r+1, err)
				}
				*mc.out = append(*mc.out, cr)
			}
		}
	}

	for ci := range res.Conds {
		br := int(median(res.Tincan[ci], func(c callResult) float64 { return c.EncBitrate })/1000+0.5) * 1000
		cl := ceiling{Bitrate: br}
		var errs [2]error
		var wg sync.WaitGroup
		for d := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cl.Dir[d], errs[d] = opusAlone(speech[d], br)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			return nil, err
		}
		res.Ceiling = append(res.Ceiling, cl)
	}
	res.Elapsed = time.Since(start)
	res.LoadEnd = loadAvg()
	return res, nil
}

// loadAvg is the machine's load average, or "unknown".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
