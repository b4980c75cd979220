//go:build !unix

package main

import (
	"errors"
	"time"
)

// cpuTime is not measured here: getrusage is a Unix call.
func cpuTime() (time.Duration, error) {
	return 0, errors.New("process CPU time is only measured on Unix")
}
