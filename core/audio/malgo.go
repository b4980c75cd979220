package audio

import (
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// Malgo device defaults.
const (
	DefaultPeriodMillis = 10                      // pinned: a period miniaudio picks itself can stop callbacks silently
	DefaultStallTimeout = 1500 * time.Millisecond // no callback for this long while running = device lost
)

// MalgoConfig chooses a real (or null) device through miniaudio.
type MalgoConfig struct {
	// CaptureID and PlaybackID are Info.IDs from Devices; "" is the system
	// default, which follows the OS's default device where the backend
	// does (miniaudio reroutes on WASAPI and Core Audio; PulseAudio and
	// PipeWire move streams not tied to a device).
	CaptureID, PlaybackID string
	// Backend is a miniaudio backend name ("pulseaudio", "alsa", "wasapi",
	// "coreaudio", ...): "" tries the platform's in miniaudio's order;
	// "null" is miniaudio's null backend, a silent device with a real clock.
	Backend string
	// PeriodMillis is the callback period; DefaultPeriodMillis if zero.
	PeriodMillis int
	// OnLost is called, from its own goroutine and once per Start, when the
	// device stops without Stop being called (unplugged, taken away) or its
	// callbacks stall for StallTimeout. The usual answer is to Swap the
	// Stream to the default device.
	OnLost func()
	// StallTimeout is how long callbacks may stop before the device counts
	// as lost; DefaultStallTimeout if zero.
	StallTimeout time.Duration
	Logger       *slog.Logger
}

// malgoDevice is a duplex miniaudio device at 48 kHz mono S16. A context
// and device are made at Start and torn down at Stop (switching devices is
// always Uninit and a new init). mu serialises Start and Stop; the audio
// thread touches only cb (set before the device starts), ticks and
// stopping, and lostSig without blocking. (malgo itself looks the callback
// up under a global mutex on every period, held for a map read; it is
// contended only while a device is being opened or closed.)
type malgoDevice struct {
	cfg      MalgoConfig
	backends []malgo.Backend
	capID    *malgo.DeviceID
	playID   *malgo.DeviceID
	name     string
	log      *slog.Logger

	ticks     atomic.Uint64 // data callbacks so far
	stopping  atomic.Bool   // Stop is under way: a stop notification is ours
	lostSig   chan struct{} // capacity 1: miniaudio reported a stop
	lostFired atomic.Uint64 // times the device was declared lost (for tests)

	mu   sync.Mutex
	ctx  *malgo.AllocatedContext
	dev  *malgo.Device
	cb   Callback
	quit chan struct{} // stops the watchdog
	done chan struct{} // closed when the watchdog has returned
}

// NewMalgo returns a stopped miniaudio device; nothing is opened until Start.
func NewMalgo(cfg MalgoConfig) (Device, error) {
	return newMalgo(cfg)
}

func newMalgo(cfg MalgoConfig) (*malgoDevice, error) {
	list, err := backendList(cfg.Backend)
	if err != nil {
		return nil, err
	}
	capID, err := parseDeviceID(cfg.CaptureID)
	if err != nil {
		return nil, err
	}
	playID, err := parseDeviceID(cfg.PlaybackID)
	if err != nil {
		return nil, err
	}
	if cfg.PeriodMillis == 0 {
		cfg.PeriodMillis = DefaultPeriodMillis
	}
	if cfg.PeriodMillis < 1 || cfg.PeriodMillis > 100 {
		return nil, fmt.Errorf("audio: period of %d ms (1 to 100)", cfg.PeriodMillis)
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = DefaultStallTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	backend := cfg.Backend
	if backend == "" {
		backend = "default"
	}
	return &malgoDevice{
		cfg: cfg, backends: list, capID: capID, playID: playID, log: log,
		name:    fmt.Sprintf("%s (capture %s, playback %s)", backend, idName(cfg.CaptureID), idName(cfg.PlaybackID)),
		lostSig: make(chan struct{}, 1),
	}, nil
}

func idName(id string) string {
	if id == "" {
		return "default"
	}
	return id
}

// Name is the backend and the two device IDs.
func (m *malgoDevice) Name() string { return m.name }

// Start opens the devices and starts callbacks and the watchdog.
func (m *malgoDevice) Start(cb Callback) (err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dev != nil {
		return ErrRunning
	}
	var logProc malgo.LogProc
	if m.cfg.Logger != nil {
		logProc = func(msg string) { m.log.Debug("miniaudio", "msg", msg) }
	}
	ctx, err := initContext(m.backends, logProc)
	if err != nil {
		return fmt.Errorf("audio: init context for %s: %w", m.name, err)
	}
	defer func() {
		if err != nil {
			_ = freeContext(ctx)
		}
	}()

	conf := malgo.DefaultDeviceConfig(malgo.Duplex)
	conf.SampleRate = SampleRate
	conf.PeriodSizeInMilliseconds = uint32(m.cfg.PeriodMillis)
	conf.Capture.Format, conf.Capture.Channels = malgo.FormatS16, 1
	conf.Playback.Format, conf.Playback.Channels = malgo.FormatS16, 1
	// miniaudio copies the IDs during init; pin them only for that call
	// (the config holding them is passed to C by pointer).
	var pin runtime.Pinner
	defer pin.Unpin()
	if m.capID != nil {
		pin.Pin(m.capID)
		conf.Capture.DeviceID = unsafe.Pointer(m.capID)
	}
	if m.playID != nil {
		pin.Pin(m.playID)
		conf.Playback.DeviceID = unsafe.Pointer(m.playID)
	}

	m.cb = cb
	m.stopping.Store(false)
	select { // forget a stale stop notification
	case <-m.lostSig:
	default:
	}
	dev, err := malgo.InitDevice(ctx.Context, conf, malgo.DeviceCallbacks{Data: m.onData, Stop: m.onStop})
	if err != nil {
		return fmt.Errorf("audio: open %s: %w", m.name, err)
	}
	if err := dev.Start(); err != nil {
		m.stopping.Store(true)
		dev.Uninit()
		return fmt.Errorf("audio: start %s: %w", m.name, err)
	}
	m.ctx, m.dev = ctx, dev
	m.quit, m.done = make(chan struct{}), make(chan struct{})
	go m.watch(m.quit, m.done)
	m.log.Info("audio: device started", "device", m.name)
	return nil
}

// Stop stops the watchdog, then uninitialises device and context. It is
// never called from miniaudio's callbacks.
func (m *malgoDevice) Stop() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dev == nil {
		return nil
	}
	m.stopping.Store(true)
	close(m.quit)
	<-m.done
	m.dev.Uninit() // stops the device first; the callback has returned when this does
	err := freeContext(m.ctx)
	m.ctx, m.dev, m.quit, m.done = nil, nil, nil, nil
	m.log.Info("audio: device stopped", "device", m.name)
	if err != nil {
		return fmt.Errorf("audio: uninit context of %s: %w", m.name, err)
	}
	return nil
}

// onData is miniaudio's data callback (audio thread): S16 mono buffers
// viewed as []int16 for the duration of the call, never kept.
func (m *malgoDevice) onData(out, in []byte, _ uint32) {
	m.ticks.Add(1)
	m.cb(int16s(out), int16s(in))
}

// onStop is miniaudio's stop notification (a miniaudio thread). It only
// signals the watchdog: no call into miniaudio from here.
func (m *malgoDevice) onStop() {
	if m.stopping.Load() {
		return
	}
	select {
	case m.lostSig <- struct{}{}:
	default:
	}
}

// watch declares the device lost when miniaudio stops it on its own or its
// callbacks stall, then returns; OnLost runs on a goroutine of its own so it
// may Stop this device (which waits for watch).
func (m *malgoDevice) watch(quit, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(m.cfg.StallTimeout / 4)
	defer t.Stop()
	last, lastChange := m.ticks.Load(), time.Now()
	for {
		select {
		case <-quit:
			return
		case <-m.lostSig:
			m.lost("the device stopped")
			return
		case now := <-t.C:
			if n := m.ticks.Load(); n != last {
				last, lastChange = n, now
			} else if now.Sub(lastChange) >= m.cfg.StallTimeout {
				m.lost("no callbacks for " + now.Sub(lastChange).Round(time.Millisecond).String())
				return
			}
		}
	}
}

// lost reports the device gone.
func (m *malgoDevice) lost(why string) {
	m.log.Warn("audio: device lost", "device", m.name, "why", why)
	m.lostFired.Add(1)
	if f := m.cfg.OnLost; f != nil {
		go f()
	}
}

// int16s views a buffer of S16 samples as []int16 without copying.
func int16s(b []byte) []int16 {
	if len(b) < 2 {
		return nil
	}
	return unsafe.Slice((*int16)(unsafe.Pointer(&b[0])), len(b)/2)
}
