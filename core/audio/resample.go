package audio

// resample converts mono audio at rate Hz to SampleRate by linear
// interpolation; the result has len(src)*SampleRate/rate samples (rounded
// down). At SampleRate it returns src itself.
func resample(src []int16, rate int) []int16 {
	if rate == SampleRate || len(src) == 0 {
		return src
	}
	n := int(int64(len(src)) * SampleRate / int64(rate))
	out := make([]int16, n)
	for i := range out {
		pos := int64(i) * int64(rate) // position in src, in units of 1/SampleRate samples
		j, frac := int(pos/SampleRate), pos%SampleRate
		a := int64(src[j])
		b := a
		if j+1 < len(src) {
			b = int64(src[j+1])
		}
		out[i] = int16(a + (b-a)*frac/SampleRate)
	}
	return out
}

// resampledLen is len(resample(make([]int16, n), rate)).
func resampledLen(n, rate int) int {
	if rate == SampleRate {
		return n
	}
	return int(int64(n) * SampleRate / int64(rate))
}
