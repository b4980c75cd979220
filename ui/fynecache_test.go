package ui

import (
	"os"
	"testing"
)

// Fyne's drawing caches keep tincan's time, not Fyne's minute (unless the
// user set FYNE_CACHE): the variables the linkname reaches are Fyne's own,
// or the program would not link.
func TestFyneCachesKeepTenSeconds(t *testing.T) {
	if os.Getenv("FYNE_CACHE") != "" {
		t.Fatalf("FYNE_CACHE is set (%q) in the test environment; unset it to test tincan's default", os.Getenv("FYNE_CACHE"))
	}
	if fyneCacheValid != fyneCacheTime || fyneCacheCleanEvery != fyneCacheTime/2 {
		t.Errorf("Fyne keeps drawings for %v and cleans every %v, want %v and %v",
			fyneCacheValid, fyneCacheCleanEvery, fyneCacheTime, fyneCacheTime/2)
	}
}
