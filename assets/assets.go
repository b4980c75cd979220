// Package assets embeds tincan's static resources (the application icon) so
// the binary carries them.
//
// It must never read files at run time; everything here is compiled in.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is tincan's application icon, a 256x256 PNG.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)
