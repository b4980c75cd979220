package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"time"

	"tincan/core/audio"
	"tincan/core/call/quality"
)

// timedDevice is an audio.Device that notes when it was started, so that
// the lags measured between two devices' files can be corrected for the
// time between their starts.
type timedDevice struct {
	audio.Device
	mu      sync.Mutex
	started time.Time
}

// Start notes the time and starts the device.
func (d *timedDevice) Start(cb audio.Callback) error {
	d.mu.Lock()
	if d.started.IsZero() {
		d.started = time.Now()
	}
	d.mu.Unlock()
	return d.Device.Start(cb)
}

// startedAt is when Start was first called.
func (d *timedDevice) startedAt() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.started
}

// padded writes speech after lead of silence to dir/name and returns the
// path and the padded samples (the reference the other side's output is
// compared with).
func padded(dir, name string, speech []int16, lead time.Duration) (string, []int16, error) {
	s := make([]int16, int(lead/time.Millisecond)*audio.SampleRate/1000+len(speech))
	copy(s[len(s)-len(speech):], speech)
	p := filepath.Join(dir, name)
	if err := audio.WriteWAV(p, s); err != nil {
		return "", nil, fmt.Errorf("write %s: %w", p, err)
	}
	return p, s, nil
}

// seconds is the duration of n samples.
func seconds(n int) time.Duration { return time.Duration(n) * time.Second / audio.SampleRate }

// loopResult is what the device-only loop measured.
type loopResult struct {
	Lag     [2]time.Duration // out against in (the smallest window lag), for the caller's and the callee's input
	Corr    [2]float64       // the whole file's correlation
	Windows [2][]int         // the lag of each active 250 ms window (samples)
	Streams [2]audio.StreamStats
}

// deviceLoop plays each input through a WAV device and an audio.Stream
// (the pipeline's own, with its default queue depths) whose reader writes
// back every frame it reads, with no codec and no network: the delay the
// devices and the Stream add by themselves, subtracted from the call's.
// Both loops run at once for the duration of the longer input.
func deviceLoop(dir string, ins [2]string, refs [2][]int16, dur time.Duration) (loopResult, error) {
	var res loopResult
	outs := [2]string{filepath.Join(dir, "loop-a.wav"), filepath.Join(dir, "loop-b.wav")}
	streams := make([]*audio.Stream, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i := range 2 {
		dev, err := audio.NewWAV(ins[i], outs[i], audio.WAVOptions{})
		if err != nil {
			return res, fmt.Errorf("device loop: %w", err)
		}
		st := audio.NewStream(dev, audio.StreamOptions{})
		if err := st.Start(); err != nil {
			return res, fmt.Errorf("device loop: %w", err)
		}
		streams[i] = st
		wg.Add(1)
		go func() {
			defer wg.Done()
			var f audio.Frame
			for st.ReadFrame(ctx, &f) == nil {
				st.WriteFrame(&f)
			}
		}()
	}
	time.Sleep(dur) // the loop runs in real time: there is no state to wait for, only audio to play
	cancel()
	for i, st := range streams {
		res.Streams[i] = st.Stats()
		if err := st.Close(); err != nil {
			return res, fmt.Errorf("device loop: %w", err)
		}
	}
	wg.Wait()
	for i := range 2 {
		out, _, err := audio.ReadWAV(outs[i])
		if err != nil {
			return res, fmt.Errorf("device loop: %w", err)
		}
		lag, corr := quality.Align(refs[i], out, quality.DefaultMaxLag)
		if corr < 0.3 {
			return res, fmt.Errorf("device loop: what the loop played back correlates with its input at only %.2f", corr)
		}
		_, res.Windows[i] = score(refs[i], out, lag)
		res.Lag[i], res.Corr[i] = seconds(lag), corr
		if lo, _, _ := spread(res.Windows[i]); !math.IsNaN(lo) {
			// The smallest: the devices' own latency. More is the playback
			// queue grown by an underrun (the process was late), which the
			// calls suffer too and is counted against them.
			res.Lag[i] = time.Duration(lo * float64(time.Millisecond))
		}
	}
	return res, nil
}
