package quality

import "fmt"

// DefaultMaxLag is the delay range Compare searches: one second either way.
const DefaultMaxLag = SampleRate

// Report is what Compare measured between a reference and a degraded signal.
type Report struct {
	Lag    int     // samples deg lags ref (positive: deg is late)
	Corr   float64 // peak normalised cross-correlation at Lag
	SegSNR float64 // segmental SNR in dB, [-10, 35]
	LSD    float64 // log-spectral distance in dB, 0 = identical
	STOI   float64 // short-time objective intelligibility, about 0 to 1
}

// String formats r as one line for benchmark tables and test logs.
func (r Report) String() string {
	return fmt.Sprintf("lag=%d (%.1f ms) corr=%.3f segSNR=%.2f dB LSD=%.2f dB STOI=%.3f",
		r.Lag, float64(r.Lag)*1000/SampleRate, r.Corr, r.SegSNR, r.LSD, r.STOI)
}

// Compare aligns deg to ref (48 kHz mono, within DefaultMaxLag), keeps the
// part where both overlap, and scores it with SegSNR, LSD and STOI.
func Compare(ref, deg []int16) Report {
	lag, corr := Align(ref, deg, DefaultMaxLag)
	r, d := Overlap(ref, deg, lag)
	return Report{
		Lag:    lag,
		Corr:   corr,
		SegSNR: SegSNR(r, d),
		LSD:    LSD(r, d),
		STOI:   STOI(r, d, SampleRate),
	}
}
