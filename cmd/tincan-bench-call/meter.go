package main

import "time"

// cpuMeter measures the process's CPU over a stretch of wall time.
type cpuMeter struct {
	cpu0  time.Duration
	wall0 time.Time
}

// startCPU starts measuring.
func startCPU() (cpuMeter, error) {
	c, err := cpuTime()
	return cpuMeter{cpu0: c, wall0: time.Now()}, err
}

// percent is the CPU used since start as a percentage of one core.
func (m cpuMeter) percent() (float64, error) {
	c, err := cpuTime()
	if err != nil {
		return 0, err
	}
	wall := time.Since(m.wall0)
	return 100 * float64(c-m.cpu0) / float64(wall), nil
}

// idleCPU measures the process doing nothing for d: the baseline taken off
// the calls' CPU (the runtime's background work, the Go scheduler).
func idleCPU(d time.Duration) (float64, error) {
	m, err := startCPU()
	if err != nil {
		return 0, err
	}
	time.Sleep(d) // measuring idleness: nothing to wait for but time
	return m.percent()
}
