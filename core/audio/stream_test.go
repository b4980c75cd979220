package audio

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeDevice is a Device the test drives by hand.
type fakeDevice struct {
	name     string
	startErr error
	mu       sync.Mutex
	cb       Callback
	starts   int
	stops    int
}

func (d *fakeDevice) Start(cb Callback) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.startErr != nil {
		return d.startErr
	}
	d.cb = cb
	d.starts++
	return nil
}

func (d *fakeDevice) Stop() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cb = nil
	d.stops++
	return nil
}

func (d *fakeDevice) Name() string { return d.name }

func (d *fakeDevice) running() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cb != nil
}

// frameOf returns a frame whose every sample is v.
func frameOf(v int16) *Frame {
	var f Frame
	for i := range f {
		f[i] = v
	}
	return &f
}

// TestCallbackAnyPeriod drives the callback with periods that do and do not
// divide a frame and checks capture and playback both come through whole
// and in order.
func TestCallbackAnyPeriod(t *testing.T) {
	for _, period := range []int{1, 37, 480, 960, 1024, 4096} {
		s := NewStream(&fakeDevice{name: "fake"}, StreamOptions{})
		in, out := make([]int16, period), make([]int16, period)
		nextIn, wantIn := 0, 0
		nextOut, wantOut, played := 0, 0, 0
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // ReadFrame must still return frames that are waiting
		var f Frame
		for wantIn < 20*FrameSamples {
			// Keep playback fed ahead of the device, a frame at a time.
			for (nextOut-played)+FrameSamples <= DefaultMaxQueued*FrameSamples+period {
				for i := range f {
					f[i] = int16(nextOut + i)
				}
				s.WriteFrame(&f)
				nextOut += FrameSamples
			}
			for i := range in {
				in[i] = int16(nextIn + i)
			}
			nextIn += period
			s.callback(out, in)
			for _, v := range out {
				if v != int16(wantOut) {
					t.Fatalf("period %d: played %d, want %d", period, v, int16(wantOut))
				}
				wantOut++
			}
			played += period
			for s.ReadFrame(ctx, &f) == nil {
				for _, v := range f {
					if v != int16(wantIn) {
						t.Fatalf("period %d: captured %d, want %d", period, v, int16(wantIn))
					}
					wantIn++
				}
			}
		}
		if st := s.Stats(); st.Dropped != 0 || st.Underruns != 0 || st.Overruns != 0 {
			t.Fatalf("period %d: a stream kept in step counted glitches: %+v", period, st)
		}
	}
}

// TestCallbackDoesNotAllocate checks the audio-thread path allocates nothing.
func TestCallbackDoesNotAllocate(t *testing.T) {
	for _, period := range []int{480, 1024} {
		s := NewStream(&fakeDevice{name: "fake"}, StreamOptions{})
		in, out := sine(period, SampleRate, 440, 8000), make([]int16, period)
		f := frameOf(1)
		var rf Frame
		allocs := testing.AllocsPerRun(200, func() {
			s.WriteFrame(f)
			s.callback(out, in)
			s.capture.Read(rf[:]) // keep the capture ring from filling
		})
		if allocs != 0 {
			t.Fatalf("with %d-sample periods the callback and WriteFrame allocate %.1f times per period, want 0", period, allocs)
		}
	}
}

func TestTonesDoNotAllocate(t *testing.T) {
	tone := RingTone()
	var f, g Frame
	if a := testing.AllocsPerRun(100, func() { tone.Next(&f); Mix(&g, &f) }); a != 0 {
		t.Fatalf("Tone.Next and Mix allocate %.1f times per frame, want 0", a)
	}
}

func TestPlaybackDropsOldestPastMaxQueued(t *testing.T) {
	s := NewStream(&fakeDevice{name: "fake"}, StreamOptions{})
	for i := range 10 {
		s.WriteFrame(frameOf(int16(i)))
	}
	out := make([]int16, FrameSamples)
	s.callback(out, nil)
	// 10 waiting, one played now, at most 3 may wait afterwards: 6 dropped.
	if st := s.Stats(); st.Dropped != 6 {
		t.Fatalf("with 10 frames queued and 3 allowed, %d were dropped, want 6", st.Dropped)
	}
	if out[0] != 6 || out[FrameSamples-1] != 6 {
		t.Fatalf("the device played frame %d, want frame 6 (the oldest kept)", out[0])
	}
	if n := s.play.Len(); n != 3*FrameSamples {
		t.Fatalf("%d samples wait after the drop, want 3 frames", n)
	}
}

func TestUnderrunPlaysSilence(t *testing.T) {
	s := NewStream(&fakeDevice{name: "fake"}, StreamOptions{})
	out := make([]int16, 480)
	s.callback(out, nil)
	if st := s.Stats(); st.Underruns != 0 {
		t.Fatalf("a period before anything was ever written counted as an underrun: %+v", st)
	}
	s.WriteFrame(frameOf(5))
	s.callback(out, nil)
	s.callback(out, nil)
	for i := range out {
		out[i] = 99
	}
	s.callback(out, nil)
	for _, v := range out {
		if v != 0 {
			t.Fatalf("an underrun played %d, want silence", v)
		}
	}
	if st := s.Stats(); st.Underruns != 1 || st.Periods != 4 {
		t.Fatalf("after one starved period the stats are %+v, want 1 underrun in 4 periods", st)
	}
}

func TestWriteFrameNeverBlocksWhenNothingPlays(t *testing.T) {
	s := NewStream(&fakeDevice{name: "fake"}, StreamOptions{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		f := frameOf(1)
		for range 1000 {
			s.WriteFrame(f)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("1000 WriteFrames with nothing playing did not return within 5 s")
	}
	held := s.play.Len() / FrameSamples
	if st := s.Stats(); int(st.Dropped)+held != 1000 || st.Dropped == 0 {
		t.Fatalf("of 1000 frames %d were dropped and %d held, want every frame accounted for and some dropped", st.Dropped, held)
	}
}

func TestReadFrameDropsOldBacklog(t *testing.T) {
	s := NewStream(&fakeDevice{name: "fake"}, StreamOptions{})
	for i := range 20 {
		s.callback(nil, frameOf(int16(i))[:])
	}
	var f Frame
	if err := s.ReadFrame(context.Background(), &f); err != nil {
		t.Fatal(err)
	}
	if f[0] != 10 {
		t.Fatalf("after 20 unread frames with a backlog of 10 allowed, ReadFrame gave frame %d, want 10", f[0])
	}
	if st := s.Stats(); st.Overruns != 1 {
		t.Fatalf("dropping the backlog counted %d overruns, want 1", st.Overruns)
	}
}

func TestReadFrameEndsOnContextAndClose(t *testing.T) {
	s := NewStream(&fakeDevice{name: "fake"}, StreamOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var f Frame
	if err := s.ReadFrame(ctx, &f); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadFrame with nothing captured returned %v at its deadline, want DeadlineExceeded", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.ReadFrame(context.Background(), &f) }()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("ReadFrame on a closed stream returned %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end a waiting ReadFrame within 5 s")
	}
}

func TestInputLevelRisesAndFalls(t *testing.T) {
	s := NewStream(&fakeDevice{name: "fake"}, StreamOptions{})
	loud := sine(480, SampleRate, 1000, 32767)
	s.callback(nil, loud)
	if l := s.InputLevel(); l < 0.99 || l > 1 {
		t.Fatalf("a full-scale period gives level %.3f, want about 1", l)
	}
	quiet := make([]int16, 480)
	s.callback(nil, quiet)
	if l := s.InputLevel(); l < 0.9 {
		t.Fatalf("10 ms after a full-scale peak the level fell to %.3f; it should fall over half a second", l)
	}
	for range 60 {
		s.callback(nil, quiet)
	}
	if l := s.InputLevel(); l != 0 {
		t.Fatalf("after 0.6 s of silence the level is %.3f, want 0", l)
	}
}

func TestStreamLifecycle(t *testing.T) {
	d := &fakeDevice{name: "fake"}
	s := NewStream(d, StreamOptions{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); !errors.Is(err, ErrRunning) {
		t.Fatalf("starting a started stream returned %v, want ErrRunning", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d.running() {
		t.Fatal("the device still runs after Close")
	}
	if err := s.Start(); !errors.Is(err, ErrClosed) {
		t.Fatalf("starting a closed stream returned %v, want ErrClosed", err)
	}
	if err := s.Swap(&fakeDevice{name: "other"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("swapping a closed stream returned %v, want ErrClosed", err)
	}
}

func TestSwapToFailingDeviceKeepsTheOld(t *testing.T) {
	old := &fakeDevice{name: "old"}
	s := NewStream(old, StreamOptions{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bad := &fakeDevice{name: "bad", startErr: errors.New("no such device")}
	if err := s.Swap(bad); err == nil {
		t.Fatal("swapping to a device that fails to start succeeded")
	}
	if !old.running() || s.DeviceName() != "old" {
		t.Fatalf("after a failed swap the stream is on %q (old running: %v), want the old device running", s.DeviceName(), old.running())
	}
}

// TestStreamTrimsLatencyAfterAStall: after a stall leaves frames queued for
// playback (here: three written before the device played), the queue
// shrinks back to one frame within about a second, a frame at a time, while
// a frame is written per frame played.
func TestStreamTrimsLatencyAfterAStall(t *testing.T) {
	s := NewStream(&fakeDevice{name: "fake"}, StreamOptions{})
	for range 3 {
		s.WriteFrame(frameOf(1))
	}
	in, out := make([]int16, FrameSamples/2), make([]int16, FrameSamples/2)
	periods := 0
	for ; periods < 200 && s.play.Len() > FrameSamples; periods++ {
		if periods%2 == 0 {
			s.WriteFrame(frameOf(2))
		}
		s.callback(out, in)
	}
	if s.play.Len() > FrameSamples {
		t.Fatalf("%d samples still queued after %d periods of 10 ms, want at most a frame", s.play.Len(), periods)
	}
	if got := time.Duration(periods) * 10 * time.Millisecond; got < time.Second || got > 3*time.Second {
		t.Fatalf("the surplus went after %v, want after about one to two seconds (one frame a second)", got)
	}
	if d := s.Stats().Dropped; d != 2 {
		t.Fatalf("%d frames dropped to trim, want 2", d)
	}
	// A queue that stays at one frame is left alone.
	before := s.Stats().Dropped
	for i := range 300 {
		if i%2 == 0 {
			s.WriteFrame(frameOf(3))
		}
		s.callback(out, in)
	}
	if s.Stats().Dropped != before {
		t.Fatal("frames dropped from a queue that held one frame or less")
	}
}
