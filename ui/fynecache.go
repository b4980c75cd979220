package ui

import (
	"os"
	"time"
	_ "unsafe" // for go:linkname
)

// Fyne keeps what it makes for drawing (a texture per distinct string of
// text, measured text sizes, the renderers of widgets out of view) for a
// minute after their last use. Scrolling through a long conversation draws
// many distinct lines a minute, and that minute's worth became most of the
// window's memory (hundreds of MiB at a fast scroll through 100,000
// messages, though the Go heap stayed flat). Ten seconds keeps what is on
// and near the screen and lets the rest go. Fyne reads its FYNE_CACHE
// setting once, before any of tincan's code runs, so the shorter time is
// set on its variables directly; a FYNE_CACHE the user set still wins. If a
// Fyne release renames them, the build fails at link time, not silently.

//go:linkname fyneCacheValid fyne.io/fyne/v2/internal/cache.ValidDuration
var fyneCacheValid time.Duration

//go:linkname fyneCacheCleanEvery fyne.io/fyne/v2/internal/cache.cleanTaskInterval
var fyneCacheCleanEvery time.Duration

// fyneCacheTime is how long Fyne keeps a drawing resource after its last use.
const fyneCacheTime = 10 * time.Second

func init() {
	if os.Getenv("FYNE_CACHE") == "" {
		fyneCacheValid, fyneCacheCleanEvery = fyneCacheTime, fyneCacheTime/2
	}
}
