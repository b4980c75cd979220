package quality

// CarriedShare is the share of the reference's active half-second windows
// that appear in deg: each window is aligned on its own (within search
// samples of lag) and counts when its correlation reaches minCorr. Unlike
// one global alignment it forgives a delay that moves during the call (a
// jitter buffer growing or shrinking), so it tells "the speech was carried"
// from "what came out is something else" (one-way audio, garbage, another
// call). Windows more than 30 dB below the loudest are not counted. It
// returns 0 when ref has no active window.
func CarriedShare(ref, deg []int16, lag, search int, minCorr float64) float64 {
	const win = SampleRate / 2
	var energies []float64
	loudest := 0.0
	for at := 0; at+win <= len(ref); at += win {
		e := 0.0
		for _, v := range ref[at : at+win] {
			e += float64(v) * float64(v)
		}
		energies = append(energies, e)
		loudest = max(loudest, e)
	}
	active, carried := 0, 0
	for i, e := range energies {
		if loudest == 0 || e < loudest/1000 {
			continue
		}
		active++
		at := i * win
		lo, hi := max(0, at+lag-search), min(len(deg), at+lag+win+search)
		if hi-lo < win {
			continue
		}
		if _, c := Align(ref[at:at+win], deg[lo:hi], hi-lo); c >= minCorr {
			carried++
		}
	}
	if active == 0 {
		return 0
	}
	return float64(carried) / float64(active)
}
