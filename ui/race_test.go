//go:build race

package ui

// raceEnabled is true in -race builds, where painting a window takes seconds.
const raceEnabled = true
