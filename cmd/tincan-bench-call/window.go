package main

import (
	"math"

	"tincan/core/audio"
	"tincan/core/call/quality"
)

// Piecewise alignment: a call's delay moves while it runs (the adaptive
// jitter buffer holds and skips frames, the playback queue under- and
// overruns), so one lag for the whole file misaligns most of it and the
// scores measure the movement, not the speech. As PESQ and POLQA do, each
// 250 ms window of the reference is aligned on its own, near the whole-file
// lag. Short windows matter: a window that straddles a skipped frame is
// half misaligned (1 s windows cost 0.009 of STOI at 0% loss, 250 ms ones
// 0.002, against a buffer that never moves).
const (
	lagWindow   = audio.SampleRate / 4  // 250 ms of reference per window
	lagSearch   = audio.SampleRate / 5  // ±200 ms around the whole-file lag
	lagNear     = audio.SampleRate / 40 // ±25 ms around the last window's lag, searched first (cheaper)
	lagNearCorr = 0.8                   // the near search is trusted from this correlation
	lagMinCorr  = 0.5                   // a window correlating less keeps the previous lag
	lagActiveDB = 30                    // a window this far below the loudest keeps the previous lag
)

// aligned is a degraded signal re-aligned window by window.
type aligned struct {
	deg  []int16 // as long as ref: each window of deg at its own lag
	lags []int   // the lag (samples, as quality.Align) of each window aligned on its own
}

// realign aligns each active 250 ms window of ref with deg (first within
// ±25 ms of the last window's lag, else within ±200 ms of the whole-file
// lag) and builds a copy of deg in which every window sits at its own lag;
// inactive or weakly correlated windows keep the last lag.
func realign(ref, deg []int16, lag int) aligned {
	var energies []float64
	loudest := 0.0
	for s := 0; s < len(ref); s += lagWindow {
		e := 0.0
		for _, v := range ref[s:min(s+lagWindow, len(ref))] {
			e += float64(v) * float64(v)
		}
		energies = append(energies, e)
		loudest = max(loudest, e)
	}
	a := aligned{deg: make([]int16, len(ref))}
	cur := lag
	for i, e := range energies {
		s := i * lagWindow
		end := min(s+lagWindow, len(ref))
		if end-s == lagWindow && e > 0 && e >= loudest*math.Pow(10, -lagActiveDB/10.0) {
			if l, corr := alignNear(ref[s:end], deg, s, cur, lagNear); corr >= lagNearCorr {
				cur = l
				a.lags = append(a.lags, cur)
			} else if l, corr := alignNear(ref[s:end], deg, s, lag, lagSearch); corr >= lagMinCorr {
				cur = l
				a.lags = append(a.lags, cur)
			}
		}
		for j := s; j < end; j++ {
			if k := j + cur; k >= 0 && k < len(deg) {
				a.deg[j] = deg[k]
			}
		}
	}
	return a
}

// alignNear aligns win, the reference from sample at, with deg within
// ±search of lag, and returns the lag against the whole of deg and the
// correlation (0 when deg has too little there).
func alignNear(win, deg []int16, at, lag, search int) (int, float64) {
	lo, hi := max(at+lag-search, 0), min(at+lag+len(win)+search, len(deg))
	if hi-lo < len(win) {
		return 0, 0
	}
	// Align gives the lag of deg[lo:hi] against win; against the whole
	// of deg it is that plus lo - at.
	l, corr := quality.Align(win, deg[lo:hi], 2*search)
	return l + lo - at, corr
}

// score measures deg re-aligned against ref: SegSNR, LSD and STOI, with
// Lag the median of the windows' lags (the whole-file lag if none).
func score(ref, deg []int16, lag int) (quality.Report, []int) {
	a := realign(ref, deg, lag)
	r := quality.Report{
		Lag:    lag,
		SegSNR: quality.SegSNR(ref, a.deg),
		LSD:    quality.LSD(ref, a.deg),
		STOI:   quality.STOI(ref, a.deg, audio.SampleRate),
	}
	if _, mid, _ := spread(a.lags); !math.IsNaN(mid) {
		r.Lag = int(math.Round(mid * audio.SampleRate / 1000))
	}
	return r, a.lags
}

// scoreAt measures deg against ref at one lag for the whole file (the
// figures of quality.Compare, without its search).
func scoreAt(ref, deg []int16, lag int) quality.Report {
	r, d := quality.Overlap(ref, deg, lag)
	return quality.Report{Lag: lag, SegSNR: quality.SegSNR(r, d), LSD: quality.LSD(r, d), STOI: quality.STOI(r, d, audio.SampleRate)}
}

// spread is the smallest, median and largest of lags, in ms (NaN for none).
func spread(lags []int) (lo, mid, hi float64) {
	if len(lags) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	v := make([]float64, len(lags))
	for i, l := range lags {
		v[i] = ms(seconds(l))
	}
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, medianOf(v), hi
}
