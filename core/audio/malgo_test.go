package audio

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gen2brain/malgo"
)

// simulateLoss stops the miniaudio device behind Stop's back, the way
// miniaudio stops a device that was unplugged.
func (m *malgoDevice) simulateLoss() error {
	m.mu.Lock()
	dev := m.dev
	m.mu.Unlock()
	if dev == nil {
		return errors.New("the device is not running")
	}
	return dev.Stop()
}

// TestNullBackendValue reads ma_backend from the miniaudio.h that malgo
// vendors and checks nullBackend is ma_backend_null (and that malgo's own
// BackendNull is still the off-by-one ma_backend_custom; if malgo fixes its
// enum, this test says so and nullBackend must become malgo.BackendNull).
func TestNullBackendValue(t *testing.T) {
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	h, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(modcache)), "github.com/gen2brain/malgo@v0.11.24/miniaudio.h"))
	if err != nil {
		t.Fatalf("reading the vendored miniaudio.h: %v", err)
	}
	m := regexp.MustCompile(`typedef enum\s*\{\s*(ma_backend_wasapi,[^}]*)\}\s*ma_backend;`).FindSubmatch(h)
	if m == nil {
		t.Fatal("miniaudio.h has no ma_backend enum in the expected form")
	}
	body := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(m[1]), "")
	index := map[string]int{}
	for i, name := range strings.Split(body, ",") {
		index[strings.TrimSpace(name)] = i
	}
	null, ok := index["ma_backend_null"]
	if !ok {
		t.Fatalf("no ma_backend_null in %q", m[1])
	}
	if int(nullBackend) != null {
		t.Fatalf("nullBackend is %d, miniaudio's ma_backend_null is %d", nullBackend, null)
	}
	if int(malgo.BackendNull) != index["ma_backend_custom"] {
		t.Fatalf("malgo.BackendNull is %d, no longer ma_backend_custom (%d): malgo fixed its enum; use malgo.BackendNull", malgo.BackendNull, index["ma_backend_custom"])
	}
}

// TestNullDeviceRunsInRealTime starts the null device and checks that a
// second's worth of samples takes about a second to arrive, in pinned
// 10 ms periods.
func TestNullDeviceRunsInRealTime(t *testing.T) {
	dev, err := NewMalgo(MalgoConfig{Backend: "null"})
	if err != nil {
		t.Fatal(err)
	}
	var samples, badPeriods atomic.Int64
	var first atomic.Int64
	err = dev.Start(func(out, in []int16) {
		first.CompareAndSwap(0, time.Now().UnixNano())
		if len(out) != 480 || len(in) != 480 {
			badPeriods.Add(1)
		}
		clear(out)
		samples.Add(int64(len(out)))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Stop()
	if !within(10*time.Second, func() bool { return samples.Load() >= SampleRate }) {
		t.Fatalf("the null device delivered %d samples in 10 s, want %d", samples.Load(), SampleRate)
	}
	elapsed := time.Since(time.Unix(0, first.Load()))
	if elapsed < 700*time.Millisecond || elapsed > 3*time.Second {
		t.Fatalf("one second of audio took %v of wall time; the null device's clock is not real time", elapsed)
	}
	if n := badPeriods.Load(); n != 0 {
		t.Fatalf("%d periods were not the pinned 480 samples (10 ms)", n)
	}
	if err := dev.Stop(); err != nil {
		t.Fatal(err)
	}
	after := samples.Load()
	time.Sleep(50 * time.Millisecond) // five periods: any callback after Stop would show
	if samples.Load() != after {
		t.Fatal("callbacks ran after Stop returned")
	}
}

// TestDevicesNull lists the null backend's devices (one microphone and one
// speaker, after the system default entry) and opens the listed IDs.
func TestDevicesNull(t *testing.T) {
	capture, playback, err := DevicesOn("null")
	if err != nil {
		t.Fatal(err)
	}
	if len(capture) != 2 || len(playback) != 2 || capture[0] != SystemDefault || playback[0] != SystemDefault {
		t.Fatalf("the null backend lists capture %v and playback %v, want the system default and one device each", capture, playback)
	}
	if capture[1].Name != "NULL Capture Device" || playback[1].Name != "NULL Playback Device" || capture[1].ID == "" || !capture[1].Default {
		t.Fatalf("the null devices are listed as %+v and %+v", capture[1], playback[1])
	}
	dev, err := NewMalgo(MalgoConfig{Backend: "null", CaptureID: capture[1].ID, PlaybackID: playback[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	if err := dev.Start(func(out, in []int16) { clear(out); n.Add(1) }); err != nil {
		t.Fatalf("opening the listed null devices by ID failed: %v", err)
	}
	defer dev.Stop()
	if !within(5*time.Second, func() bool { return n.Load() > 3 }) {
		t.Fatal("the null devices opened by ID ran no callbacks in 5 s")
	}
}

func TestNewMalgoRefusesBadConfig(t *testing.T) {
	for _, cfg := range []MalgoConfig{
		{Backend: "nosuch"},
		{CaptureID: "zz"},
		{PlaybackID: strings.Repeat("00", 1000)},
		{PeriodMillis: 500},
	} {
		if _, err := NewMalgo(cfg); err == nil {
			t.Errorf("NewMalgo(%+v) succeeded, want an error", cfg)
		}
	}
}

// startNull starts a null device that counts callbacks and reports loss.
func startNull(t *testing.T, cfg MalgoConfig, cb Callback) (*malgoDevice, chan struct{}) {
	t.Helper()
	lost := make(chan struct{}, 4)
	cfg.Backend = "null"
	cfg.OnLost = func() { lost <- struct{}{} }
	m, err := newMalgo(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(cb); err != nil {
		t.Fatal(err)
	}
	return m, lost
}

func TestOnLostWhenTheDeviceStops(t *testing.T) {
	var n atomic.Int64
	m, lost := startNull(t, MalgoConfig{}, func(out, in []int16) { clear(out); n.Add(1) })
	defer m.Stop()
	if !within(5*time.Second, func() bool { return n.Load() > 3 }) {
		t.Fatal("the null device ran no callbacks in 5 s")
	}
	if err := m.simulateLoss(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Fatal("OnLost was not called within 5 s of the device stopping on its own")
	}
	if err := m.Stop(); err != nil {
		t.Fatalf("stopping a lost device failed: %v", err)
	}
	if f := m.lostFired.Load(); f != 1 {
		t.Fatalf("the loss was reported %d times, want once", f)
	}
}

func TestOnLostWhenCallbacksStall(t *testing.T) {
	release := make(chan struct{})
	var once atomic.Bool
	m, lost := startNull(t, MalgoConfig{StallTimeout: 300 * time.Millisecond}, func(out, in []int16) {
		clear(out)
		if once.CompareAndSwap(false, true) {
			<-release // a hung driver (blocking here is the test's fault on purpose)
		}
	})
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Fatal("OnLost was not called within 5 s of the callbacks stalling")
	}
	close(release)
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestStopIsNotALoss(t *testing.T) {
	var n atomic.Int64
	m, _ := startNull(t, MalgoConfig{}, func(out, in []int16) { clear(out); n.Add(1) })
	if !within(5*time.Second, func() bool { return n.Load() > 3 }) {
		t.Fatal("the null device ran no callbacks in 5 s")
	}
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	// Stop waits for the stop notification and the watchdog: a loss
	// reported by either would be counted by now.
	if f := m.lostFired.Load(); f != 0 {
		t.Fatalf("an ordinary Stop was reported as a lost device %d times", f)
	}
	// And the device starts again.
	if err := m.Start(func(out, in []int16) { clear(out); n.Add(1) }); err != nil {
		t.Fatalf("restarting after Stop failed: %v", err)
	}
	start := n.Load()
	if !within(5*time.Second, func() bool { return n.Load() > start+3 }) {
		t.Fatal("the restarted null device ran no callbacks in 5 s")
	}
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
}
