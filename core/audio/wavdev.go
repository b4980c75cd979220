package audio

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// WAV device defaults and limits.
const (
	DefaultWAVFlush = 200 * time.Millisecond
	maxCatchUp      = 10 // periods run at once after a late wake-up; more are skipped like a glitching card
)

// WAVOptions tune a WAV device; the zero value is sound.
type WAVOptions struct {
	// PeriodSamples is the callback size, 1 to SampleRate; FrameSamples if zero.
	PeriodSamples int
	// Flush is how often OUT.wav is written and its header fixed up;
	// DefaultWAVFlush if zero.
	Flush  time.Duration
	Logger *slog.Logger
}

// wavDevice plays a WAV file as its microphone in real time and records what
// it is given to play into another. While it runs, the run goroutine owns
// pos, out, written, pending and werr; otherwise whoever holds mu does.
type wavDevice struct {
	inPath, outPath string
	in              []int16 // the input, 48 kHz mono
	period          int
	flushAt         int // pending samples that trigger a flush
	log             *slog.Logger

	mu      sync.Mutex
	quit    chan struct{}
	done    chan struct{}
	created bool

	pos     int      // next input sample
	out     *os.File // nil when outPath is ""
	written int      // samples in out
	pending []int16
	pcm     []byte
	werr    error
}

// NewWAV returns a device that plays inPath (a 16-bit PCM WAV of any rate
// and channels, converted to 48 kHz mono) as its capture, in real time, and
// silence after its end; and writes everything played to outPath as a
// 48 kHz mono 16-bit WAV, flushed and with a valid header every opts.Flush
// (so a crash leaves a readable file) and at Stop. An empty outPath
// discards the playback. Started again after Stop, it carries on where it
// stopped in both files.
func NewWAV(inPath, outPath string, opts WAVOptions) (Device, error) {
	if opts.PeriodSamples == 0 {
		opts.PeriodSamples = FrameSamples
	}
	if opts.PeriodSamples < 1 || opts.PeriodSamples > SampleRate {
		return nil, fmt.Errorf("audio: WAV period of %d samples (1 to %d)", opts.PeriodSamples, SampleRate)
	}
	if opts.Flush <= 0 {
		opts.Flush = DefaultWAVFlush
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	in, _, err := ReadWAV(inPath)
	if err != nil {
		return nil, err
	}
	flushAt := max(int(opts.Flush*SampleRate/time.Second), opts.PeriodSamples)
	return &wavDevice{
		inPath: inPath, outPath: outPath, in: in,
		period:  opts.PeriodSamples,
		flushAt: flushAt,
		log:     opts.Logger,
		pending: make([]int16, 0, flushAt+opts.PeriodSamples),
		pcm:     make([]byte, 0, 2*(flushAt+opts.PeriodSamples)),
	}, nil
}

// Name is "wav:IN,OUT".
func (d *wavDevice) Name() string { return "wav:" + d.inPath + "," + d.outPath }

// Start opens OUT.wav (created on the first start) and starts the clock.
func (d *wavDevice) Start(cb Callback) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.quit != nil {
		return ErrRunning
	}
	if d.outPath != "" {
		var err error
		if !d.created {
			d.out, err = os.Create(d.outPath)
		} else {
			d.out, err = os.OpenFile(d.outPath, os.O_WRONLY, 0)
		}
		if err != nil {
			return fmt.Errorf("open WAV output: %w", err)
		}
		d.created = true
		d.werr = nil
		if err := d.flush(); err != nil {
			d.out.Close()
			d.out = nil
			return err
		}
	}
	d.quit, d.done = make(chan struct{}), make(chan struct{})
	go d.run(cb, d.quit, d.done)
	return nil
}

// Stop ends the clock, writes what is pending, fixes up the header and
// closes OUT.wav. It returns the first write error since Start.
func (d *wavDevice) Stop() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.quit == nil {
		return nil
	}
	close(d.quit)
	<-d.done
	d.quit, d.done = nil, nil
	if d.out == nil {
		return nil
	}
	err := d.flush()
	if cerr := d.out.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close WAV output: %w", cerr)
	}
	d.out = nil
	return err
}

// run is the device's audio thread: a period of input to cb every
// period, on a clock that keeps to real time over the long run.
func (d *wavDevice) run(cb Callback, quit, done chan struct{}) {
	defer close(done)
	in, out := make([]int16, d.period), make([]int16, d.period)
	step := time.Duration(d.period) * time.Second / SampleRate
	start, ticks := time.Now(), 0
	t := time.NewTimer(step)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
		due := int(time.Since(start)/step) - ticks
		for range min(due, maxCatchUp) {
			d.tick(cb, in, out)
		}
		if due > maxCatchUp {
			d.log.Warn("audio: WAV device fell behind, skipping", "periods", due-maxCatchUp)
		}
		ticks += max(due, 0)
		t.Reset(time.Until(start.Add(time.Duration(ticks+1) * step)))
	}
}

// tick runs one period.
func (d *wavDevice) tick(cb Callback, in, out []int16) {
	n := copy(in, d.in[min(d.pos, len(d.in)):])
	clear(in[n:])
	d.pos += len(in)
	clear(out)
	cb(out, in)
	if d.out == nil || d.werr != nil {
		return
	}
	if room := maxWAVSamples - d.written - len(d.pending); room < len(out) {
		if room > 0 {
			d.log.Warn("audio: WAV output reached its limit; no more is written", "file", d.outPath)
		}
		out = out[:max(room, 0)]
	}
	d.pending = append(d.pending, out...)
	if len(d.pending) >= d.flushAt {
		if err := d.flush(); err != nil {
			d.log.Error("audio: writing WAV output", "file", d.outPath, "err", err)
		}
	}
}

// maxWAVSamples is the most the device writes: MaxWAVDuration at 48 kHz.
const maxWAVSamples = int(MaxWAVDuration/time.Second) * SampleRate

// flush writes the pending samples, then the header that covers them: a
// crash between the two leaves a valid file holding the earlier samples.
func (d *wavDevice) flush() error {
	if d.werr != nil {
		return d.werr
	}
	d.pcm = appendPCM(d.pcm[:0], d.pending)
	if _, err := d.out.WriteAt(d.pcm, int64(wavHeaderSize+2*d.written)); err != nil {
		d.werr = fmt.Errorf("write WAV output: %w", err)
		return d.werr
	}
	d.written += len(d.pending)
	d.pending = d.pending[:0]
	h := wavHeader(2 * d.written)
	if _, err := d.out.WriteAt(h[:], 0); err != nil {
		d.werr = fmt.Errorf("write WAV output header: %w", err)
		return d.werr
	}
	return nil
}
