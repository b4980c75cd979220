package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"sync"
	"time"

	"tincan/core/audio"
	"tincan/core/call"
	"tincan/core/call/impair"
	"tincan/core/call/quality"
	"tincan/core/stun"
)

// sampleEvery is how often the live Media stats are read during a call.
const sampleEvery = 100 * time.Millisecond

// dirResult is one direction of a call: what the receiver heard.
type dirResult struct {
	Report quality.Report    // the receiver's output file against the sender's (padded) input, re-aligned per 250 ms window
	Whole  quality.Report    // the same with one alignment for the whole file (Lag, Corr and STOI only)
	Offset time.Duration     // added to a lag to make it a delay: the time between the two devices' starts
	Delay  time.Duration     // mouth to ear: Report.Lag (the windows' median lag) plus Offset
	Final  call.Stats        // the receiver's Media stats at Close
	Jitter map[string]string // the receiver's jitter.Stats fields, from its close log (nil if missing)
	Stream map[string]string // the receiver's audio.StreamStats fields, likewise
	Lags   []int             // the lag of each active 250 ms window (samples, without Offset)
}

// wireCount is what one party's engine sent on its UDP socket.
type wireCount struct {
	Pkts, Bytes           uint64
	AudioPkts, AudioBytes uint64
}

// callResult is one call between the two parties.
type callResult struct {
	Dir        [2]dirResult // 0: caller (speech A) to callee; 1: callee (speech B) to caller
	CPU        float64      // the whole process, % of one core, over the call
	Wall       time.Duration
	EncBitrate float64            // mean of the Media stats' Bitrate, both parties, sampled every 100 ms
	Wire       [2]wireCount       // caller, callee
	Refused    uint64             // packets the SessionLink refused (sent before the UDP path was known)
	PathAfter  time.Duration      // when both parties had a UDP path, after the caller started
	Proxy      [2]impair.Counters // caller to callee, callee to caller
}

// party is one side of a call.
type party struct {
	conn  *net.UDPConn
	mux   *stun.Mux
	cc    *countingConn
	dev   *timedDevice
	log   *closeLog
	eng   *call.Engine
	media call.Media
	out   string
}

// newParty opens a UDP socket on loopback, its Mux, the WAV device playing
// in and recording into out, and an Engine on them.
func newParty(in, out string, m method, session call.SessionLink) (*party, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("open a UDP socket: %w", err)
	}
	dev, err := audio.NewWAV(in, out, audio.WAVOptions{})
	if err != nil {
		conn.Close()
		return nil, err
	}
	p := &party{conn: conn, mux: stun.NewMux(conn, stun.MuxOptions{}), dev: &timedDevice{Device: dev}, log: &closeLog{}, out: out}
	p.cc = &countingConn{UDPConn: p.mux}
	p.eng = call.NewEngine(call.EngineConfig{
		UDP:     p.cc,
		Session: session,
		Audio:   func() (audio.Device, error) { return p.dev, nil },
		Jitter:  m.Jitter,
		Logger:  p.log.logger(),
	})
	return p, nil
}

// addr is the party's UDP address.
func (p *party) addr() netip.AddrPort { return p.mux.LocalAddr() }

// close ends the media (if still running) and releases the socket.
func (p *party) close() {
	if p.media != nil {
		p.media.Close()
	}
	p.mux.Close()
	p.conn.Close()
}

// wire is what the party sent.
func (p *party) wire() wireCount {
	return wireCount{Pkts: p.cc.pkts.Load(), Bytes: p.cc.bytes.Load(),
		AudioPkts: p.cc.audioPkts.Load(), AudioBytes: p.cc.audioBytes.Load()}
}

// runCall makes one call: the caller plays ins[0], the callee ins[1], both
// through the impairing proxy set for c with seed, for dur; then compares
// what each heard with what the other said (refs, the padded inputs).
func runCall(dir string, c condition, m method, seed uint64, ins [2]string, refs [2][]int16, dur time.Duration) (callResult, error) {
	var res callResult
	session := &deadSession{}
	caller, err := newParty(ins[0], filepath.Join(dir, "heard-by-caller.wav"), m, session)
	if err != nil {
		return res, fmt.Errorf("caller: %w", err)
	}
	defer caller.close()
	callee, err := newParty(ins[1], filepath.Join(dir, "heard-by-callee.wav"), m, session)
	if err != nil {
		return res, fmt.Errorf("callee: %w", err)
	}
	defer callee.close()
	proxy, err := impair.New(impair.Config{Target: callee.addr(), Seed: seed, ToTarget: c.impairment(), FromTarget: c.impairment()})
	if err != nil {
		return res, fmt.Errorf("impairing proxy: %w", err)
	}
	defer proxy.Close()

	var p call.Params
	if _, err := rand.Read(p.Key[:]); err != nil {
		return res, fmt.Errorf("call key: %w", err)
	}
	if _, err := rand.Read(p.ID[:]); err != nil {
		return res, fmt.Errorf("call ID: %w", err)
	}
	p.ContactID, p.Remote = 1, []string{proxy.Addr().String()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	meter, err := startCPU()
	if err != nil {
		return res, err
	}
	p.Caller = true
	if caller.media, err = caller.eng.StartMedia(ctx, p); err != nil {
		return res, fmt.Errorf("caller's media: %w", err)
	}
	p.Caller = false
	if callee.media, err = callee.eng.StartMedia(ctx, p); err != nil {
		return res, fmt.Errorf("callee's media: %w", err)
	}

	end := meter.wall0.Add(dur)
	var brSum float64
	var brN int
	tick := time.NewTicker(sampleEvery)
	for now := range tick.C {
		a, b := caller.media.Stats(), callee.media.Stats()
		brSum += float64(a.Bitrate + b.Bitrate)
		brN += 2
		if res.PathAfter == 0 && a.Path == call.PathPunchedUDP && b.Path == call.PathPunchedUDP {
			res.PathAfter = now.Sub(caller.dev.startedAt())
		}
		if !now.Before(end) {
			break
		}
	}
	tick.Stop()
	finals := [2]call.Stats{callee.media.Close(), caller.media.Close()}
	caller.media, callee.media = nil, nil
	if res.CPU, err = meter.percent(); err != nil {
		return res, err
	}
	res.Wall = time.Since(meter.wall0)
	res.EncBitrate = brSum / float64(max(brN, 1))
	res.Wire = [2]wireCount{caller.wire(), callee.wire()}
	res.Refused = session.refused.Load()
	res.Proxy = [2]impair.Counters{proxy.Stats(impair.ToTarget), proxy.Stats(impair.FromTarget)}
	if res.PathAfter == 0 {
		return res, errors.New("the UDP path through the proxy never came up on both sides")
	}

	// Direction 0 is heard by the callee, 1 by the caller. A sample the
	// receiver played at index j of its file left its device at
	// start(receiver) + j; the sender's sample i entered at start(sender) + i.
	offset := callee.dev.startedAt().Sub(caller.dev.startedAt())
	receivers := [2]*party{callee, caller}
	var errs [2]error
	var wg sync.WaitGroup
	for d := range 2 {
		wg.Add(1)
		go func() { // the two directions' analyses are independent
			defer wg.Done()
			res.Dir[d], errs[d] = analyse(refs[d], receivers[d], finals[d], offset*time.Duration(1-2*d))
		}()
	}
	wg.Wait()
	for d, err := range errs {
		if err != nil {
			return res, fmt.Errorf("direction %d: %w", d, err)
		}
	}
	return res, nil
}

// analyse compares what rx heard with ref, what the other party said.
func analyse(ref []int16, rx *party, final call.Stats, offset time.Duration) (dirResult, error) {
	if final.Received == 0 {
		return dirResult{}, errors.New("no audio packet arrived")
	}
	heard, _, err := audio.ReadWAV(rx.out)
	if err != nil {
		return dirResult{}, err
	}
	dr := dirResult{Final: final, Offset: offset}
	dr.Whole.Lag, dr.Whole.Corr = quality.Align(ref, heard, quality.DefaultMaxLag)
	r, d := quality.Overlap(ref, heard, dr.Whole.Lag)
	dr.Whole.STOI = quality.STOI(r, d, audio.SampleRate)
	dr.Report, dr.Lags = score(ref, heard, dr.Whole.Lag)
	dr.Delay = seconds(dr.Report.Lag) + dr.Offset
	dr.Jitter, dr.Stream = rx.log.snapshot()
	return dr, nil
}
