package codec

import (
	"errors"
	"slices"
	"testing"

	"github.com/hraban/opus"

	"tincan/core/call/rate"
)

// TestFECBeatsConcealment loses every 7th packet of real speech encoded for
// 10% loss and checks that frames rebuilt from the next packet's FEC are
// clearly closer to what the lost packets carried than concealment is.
func TestFECBeatsConcealment(t *testing.T) {
	pcm := readWAV(t, speechA)
	for _, bitrate := range []int{24000, 32000, 48000} {
		fec, plc, n := fecAndConceal(t, pcm, bitrate, 10)
		t.Logf("%d kb/s, loss 10%%, %d frames lost: SNR over lost frames %.1f dB with FEC, %.1f dB concealed",
			bitrate/1000, n, fec, plc)
		if n < 50 {
			t.Errorf("%d kb/s: only %d frames were lost, too few to judge", bitrate/1000, n)
		}
		if fec < plc+5 {
			t.Errorf("%d kb/s: FEC gives %.1f dB over the lost frames, not clearly above concealment's %.1f dB",
				bitrate/1000, fec, plc)
		}
	}
}

// TestFECRange checks the range core/call/rate keeps the encoder in when
// there is loss: at its edges libopus 1.3.1 must really put FEC in packets.
// Below rate.FECFullBandMin libopus adds FEC only for a loss percent above
// 5 (it narrows the audio band to make room); at or above it, any loss
// percent turns FEC on.
func TestFECRange(t *testing.T) {
	if rate.MinBitrate != MinBitrate || rate.MaxBitrate != MaxBitrate {
		t.Fatalf("rate adapts within %d..%d b/s but the codec clamps to %d..%d",
			rate.MinBitrate, rate.MaxBitrate, MinBitrate, MaxBitrate)
	}
	pcm := readWAV(t, speechA)[:8*SampleRate]
	points := []struct{ bitrate, loss int }{
		{rate.FECMinBitrate, rate.FECNarrowLoss},
		{rate.FECMinBitrate, rate.MaxLossPercent},
		{rate.FECFullBandMin - 2000, rate.FECNarrowLoss},
		{rate.FECFullBandMin, 1},
		{rate.FECFullBandMin, 3},
		{rate.FECFullBandMin, 5},
		{MaxBitrate, 1},
		{MaxBitrate, rate.MaxLossPercent},
	}
	for _, p := range points {
		if !rate.FECWorks(p.bitrate, p.loss) {
			t.Fatalf("rate says FEC does not work at %d b/s and %d%%: the test's points are wrong", p.bitrate, p.loss)
		}
		fec, plc, _ := fecAndConceal(t, pcm, p.bitrate, p.loss)
		t.Logf("%d b/s, loss %d%%: %.1f dB with FEC, %.1f dB concealed", p.bitrate, p.loss, fec, plc)
		if fec < plc+5 {
			t.Errorf("at %d b/s and %d%% loss FEC gives %.1f dB, no better than concealment's %.1f dB, but rate keeps calls there",
				p.bitrate, p.loss, fec, plc)
		}
	}
	// Outside the range, for the record: what the rate adapter avoids.
	for _, p := range []struct{ bitrate, loss int }{{32000, 5}, {16000, 30}} {
		fec, plc, _ := fecAndConceal(t, pcm, p.bitrate, p.loss)
		t.Logf("outside the range, %d b/s, loss %d%%: %.1f dB with FEC, %.1f dB concealed", p.bitrate, p.loss, fec, plc)
	}
}

// TestDTX checks that silence becomes packets of 2 bytes or less after a
// short while, and that speech decodes well after a gap of such packets
// that were never sent and whose frames were concealed.
func TestDTX(t *testing.T) {
	speech := readWAV(t, speechA)[SampleRate : 3*SampleRate]
	pcm := slices.Concat(speech, make([]int16, 2*SampleRate), speech)
	pkts := encodeAll(t, pcm, DefaultBitrate, 0)
	first := len(speech) / FrameSamples
	silence := pkts[first : first+2*SampleRate/FrameSamples]
	dtx := 0
	for _, p := range silence[10:] {
		if IsDTX(p) {
			dtx++
		}
	}
	t.Logf("%d of %d silent frames after the first 10 were DTX", dtx, len(silence)-10)
	if dtx < (len(silence)-10)*8/10 {
		t.Errorf("only %d of %d silent frames after the first 10 were DTX packets", dtx, len(silence)-10)
	}

	// A receiver that never got the DTX packets against one that decoded them.
	gapped, _ := receive(t, pkts, 1<<30, conceal)
	dec, err := NewDecoder()
	if err != nil {
		t.Fatalf("a new decoder fails: %v", err)
	}
	all := make([]int16, len(pkts)*FrameSamples)
	for i, p := range pkts {
		if _, err := dec.Decode(p, all[i*FrameSamples:]); err != nil {
			t.Fatalf("decoding frame %d fails: %v", i, err)
		}
	}
	after := make([]bool, len(pkts))
	for i := len(pkts) - first + 5; i < len(pkts); i++ {
		after[i] = true
	}
	snr := lostSNR(all, gapped, after)
	t.Logf("speech after the DTX gap: %.1f dB against decoding every packet", snr)
	if snr < 20 {
		t.Errorf("speech after a DTX gap decodes to %.1f dB against decoding every packet, want 20 dB or more", snr)
	}
	if e := energy(gapped[(len(pkts)-first+5)*FrameSamples:]); e < energy(speech)/4 {
		t.Errorf("speech after a DTX gap has energy %.0f, less than a quarter of the input's %.0f", e, energy(speech))
	}
}

// energy is the mean square of pcm.
func energy(pcm []int16) float64 {
	var s float64
	for _, v := range pcm {
		s += float64(v) * float64(v)
	}
	return s / float64(len(pcm))
}

// TestOneFrameOnly hands every decoding method a buffer of 120 ms and checks
// that exactly one frame is written and that libopus was asked for one.
func TestOneFrameOnly(t *testing.T) {
	pkts := encodeAll(t, readWAV(t, speechA)[:SampleRate], DefaultBitrate, 10)
	dec, err := NewDecoder()
	if err != nil {
		t.Fatalf("a new decoder fails: %v", err)
	}
	const sentinel = 0x5a5a
	buf := make([]int16, 6*FrameSamples)
	check := func(what string) {
		t.Helper()
		for i, v := range buf[FrameSamples:] {
			if v != sentinel {
				t.Fatalf("%s wrote sample %d past the frame", what, FrameSamples+i)
			}
		}
		if d, err := dec.dec.LastPacketDuration(); err != nil || d != FrameSamples {
			t.Fatalf("%s: libopus made %d samples (%v), want %d", what, d, err, FrameSamples)
		}
	}
	steps := []struct {
		what string
		run  func() error
	}{
		{"Decode", func() error {
			n, err := dec.Decode(pkts[20], buf)
			if err == nil && n != FrameSamples {
				t.Fatalf("Decode returned %d samples, want %d", n, FrameSamples)
			}
			return err
		}},
		{"Conceal", func() error { return dec.Conceal(buf) }},
		{"DecodeFEC", func() error { return dec.DecodeFEC(pkts[22], buf) }},
		{"Conceal twice", func() error { return dec.Conceal(buf) }},
	}
	for _, s := range steps {
		for i := range buf {
			buf[i] = sentinel
		}
		if err := s.run(); err != nil {
			t.Fatalf("%s fails: %v", s.what, err)
		}
		check(s.what)
	}

	// A packet of more than one frame does not fit and is refused.
	long, err := opus.NewEncoder(SampleRate, 1, opus.AppVoIP)
	if err != nil {
		t.Fatalf("a plain opus encoder fails: %v", err)
	}
	p := make([]byte, MaxPacket)
	n, err := long.Encode(make([]int16, 3*FrameSamples), p)
	if err != nil {
		t.Fatalf("encoding a 60 ms packet fails: %v", err)
	}
	if _, err := dec.Decode(p[:n], buf); !errors.Is(err, ErrPacketSize) {
		t.Errorf("a 60 ms packet decoded into a 20 ms frame gave %v, want ErrPacketSize", err)
	}
}

// TestPacketSamples pins the durations read from hand-made packet headers.
func TestPacketSamples(t *testing.T) {
	for _, c := range []struct {
		pkt  []byte
		want int
	}{
		{nil, 0},
		{[]byte{0x08}, 960},             // SILK NB 20 ms, one frame: what DTX packets look like
		{[]byte{0x78, 0xaa}, 960},       // hybrid FB 20 ms
		{[]byte{0xf8, 1, 2}, 960},       // CELT FB 20 ms
		{[]byte{0x71, 1, 2}, 960},       // hybrid FB 10 ms, two frames (code 1)
		{[]byte{0x72, 1, 1, 2}, 960},    // the same, code 2
		{[]byte{0xeb, 0x04, 1, 2}, 960}, // CELT FB 5 ms, code 3 with 4 frames
		{[]byte{0xeb, 0x84, 1, 2}, 960}, // the same with padding and VBR flags set
		{[]byte{0x18}, 2880},            // SILK NB 60 ms
		{[]byte{0x70}, 480},             // hybrid FB 10 ms
		{[]byte{0x0b, 0x06}, 5760},      // SILK NB 20 ms, code 3 with 6 frames: 120 ms
		{[]byte{0x0b, 0x00}, 0},         // code 3 with no frames
		{[]byte{0x0b}, 0},               // code 3 with no count byte
	} {
		if got := packetSamples(c.pkt); got != c.want {
			t.Errorf("a packet starting %x declares %d samples, want %d", c.pkt, got, c.want)
		}
	}
}

// TestLimits checks the errors for wrong sizes and the clamping of settings.
func TestLimits(t *testing.T) {
	enc, err := NewEncoder(Config{})
	if err != nil {
		t.Fatalf("a new encoder fails: %v", err)
	}
	dec, err := NewDecoder()
	if err != nil {
		t.Fatalf("a new decoder fails: %v", err)
	}
	frame := make([]int16, FrameSamples)
	out := make([]byte, MaxPacket)
	if _, err := enc.Encode(frame[:FrameSamples-1], out); !errors.Is(err, ErrFrameSize) {
		t.Errorf("encoding a short frame gave %v, want ErrFrameSize", err)
	}
	if _, err := enc.Encode(make([]int16, FrameSamples+1), out); !errors.Is(err, ErrFrameSize) {
		t.Errorf("encoding a long frame gave %v, want ErrFrameSize", err)
	}
	if _, err := enc.Encode(frame, nil); !errors.Is(err, ErrNoRoom) {
		t.Errorf("encoding into nothing gave %v, want ErrNoRoom", err)
	}
	if _, err := dec.Decode(nil, frame); !errors.Is(err, ErrPacketSize) {
		t.Errorf("decoding an empty packet gave %v, want ErrPacketSize", err)
	}
	if _, err := dec.Decode([]byte{0x70, 1, 2}, frame); !errors.Is(err, ErrPacketSize) {
		t.Errorf("decoding a 10 ms packet gave %v, want ErrPacketSize", err)
	}
	if err := dec.DecodeFEC([]byte{0x18, 1, 2}, frame); !errors.Is(err, ErrPacketSize) {
		t.Errorf("FEC from a 60 ms packet gave %v, want ErrPacketSize", err)
	}
	if _, err := dec.Decode(make([]byte, MaxPacket+1), frame); !errors.Is(err, ErrPacketSize) {
		t.Errorf("decoding an oversized packet gave %v, want ErrPacketSize", err)
	}
	if err := dec.DecodeFEC(nil, frame); !errors.Is(err, ErrPacketSize) {
		t.Errorf("FEC from an empty packet gave %v, want ErrPacketSize", err)
	}
	if err := dec.Conceal(frame[:FrameSamples-1]); !errors.Is(err, ErrFrameSize) {
		t.Errorf("concealing into a short buffer gave %v, want ErrFrameSize", err)
	}
	if _, err := NewEncoder(Config{Complexity: 11}); err == nil {
		t.Error("complexity 11 was accepted")
	}
	for _, c := range []struct{ set, want int }{{1000, MinBitrate}, {24000, 24000}, {1 << 30, MaxBitrate}} {
		if err := enc.SetBitrate(c.set); err != nil {
			t.Fatalf("setting the bitrate to %d fails: %v", c.set, err)
		}
		got, err := enc.enc.Bitrate()
		if err != nil || got != c.want || enc.Bitrate() != c.want {
			t.Errorf("bitrate set to %d is %d in libopus (%v) and %d in the encoder, want %d", c.set, got, err, enc.Bitrate(), c.want)
		}
	}
	for _, c := range []struct{ set, want int }{{-5, 0}, {12, 12}, {250, 100}} {
		if err := enc.SetLossPercent(c.set); err != nil {
			t.Fatalf("setting the loss percent to %d fails: %v", c.set, err)
		}
		if got, err := enc.enc.PacketLossPerc(); err != nil || got != c.want {
			t.Errorf("loss percent set to %d is %d in libopus (%v), want %d", c.set, got, err, c.want)
		}
	}
	if !enc.IsDTX([]byte{1, 2}) || IsDTX([]byte{1, 2, 3}) {
		t.Error("IsDTX does not draw the line at 2 bytes")
	}
}

// TestNoAllocation checks that the per-frame methods allocate nothing.
func TestNoAllocation(t *testing.T) {
	pcm := readWAV(t, speechA)[:SampleRate]
	enc, err := NewEncoder(Config{})
	if err != nil {
		t.Fatalf("a new encoder fails: %v", err)
	}
	dec, err := NewDecoder()
	if err != nil {
		t.Fatalf("a new decoder fails: %v", err)
	}
	out := make([]byte, MaxPacket)
	frame := make([]int16, FrameSamples)
	i, n := 0, 0
	cases := []struct {
		what string
		fn   func()
	}{
		{"Encode", func() {
			var err error
			n, err = enc.Encode(pcm[i*FrameSamples:(i+1)*FrameSamples], out)
			if err != nil {
				t.Fatal(err)
			}
			i = (i + 1) % (len(pcm) / FrameSamples)
		}},
		{"Decode", func() {
			if _, err := dec.Decode(out[:n], frame); err != nil {
				t.Fatal(err)
			}
		}},
		{"DecodeFEC", func() {
			if err := dec.DecodeFEC(out[:n], frame); err != nil {
				t.Fatal(err)
			}
		}},
		{"Conceal", func() {
			if err := dec.Conceal(frame); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		if a := testing.AllocsPerRun(100, c.fn); a != 0 {
			t.Errorf("%s allocates %.1f times per frame, want none", c.what, a)
		}
	}
}
