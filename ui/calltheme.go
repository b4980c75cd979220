package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// wcagAA is the contrast WCAG 2 level AA asks of ordinary text.
const wcagAA = 4.5

// luminance is c's relative luminance as WCAG 2 defines it.
func luminance(c color.Color) float64 {
	r, g, b, _ := color.NRGBAModel.Convert(c).RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG 2 contrast ratio of a and b, from 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// readable returns c, moved toward toward in small steps until it reaches
// WCAG AA contrast against bg (toward itself if nothing short of it does).
func readable(c, toward, bg color.Color) color.Color {
	for i := 0; i <= 20; i++ {
		m := mix(c, toward, float32(i)/20)
		if contrast(m, bg) >= wcagAA+0.05 {
			return m
		}
	}
	return toward
}

// opposite is black for a light colour and white for a dark one.
func opposite(c color.Color) color.Color {
	if luminance(c) > 0.18 {
		return color.Black
	}
	return color.White
}

// callTheme is the app's theme with the colours the call panel uses made
// readable on it: quiet text, and the red, green and blue of its buttons
// against their own text, all to WCAG AA. It follows the app's theme as it
// changes.
type callTheme struct{}

func (callTheme) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

// Color returns the app theme's colour, adjusted where the panel needs it.
func (t callTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	base := t.base()
	c := base.Color(n, v)
	switch n {
	case theme.ColorNamePlaceHolder:
		return readable(c, base.Color(theme.ColorNameForeground, v), callPanelColor(base, v))
	case theme.ColorNameError:
		c = readable(c, opposite(base.Color(theme.ColorNameForegroundOnError, v)),
			base.Color(theme.ColorNameForegroundOnError, v))
		return readable(c, base.Color(theme.ColorNameForeground, v), callPanelColor(base, v))
	case theme.ColorNameSuccess:
		return readable(c, opposite(base.Color(theme.ColorNameForegroundOnSuccess, v)),
			base.Color(theme.ColorNameForegroundOnSuccess, v))
	case theme.ColorNamePrimary:
		return readable(c, opposite(base.Color(theme.ColorNameForegroundOnPrimary, v)),
			base.Color(theme.ColorNameForegroundOnPrimary, v))
	}
	return c
}

// Font returns the app theme's font.
func (t callTheme) Font(s fyne.TextStyle) fyne.Resource { return t.base().Font(s) }

// Icon returns the app theme's icon.
func (t callTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base().Icon(n) }

// Size returns the app theme's size.
func (t callTheme) Size(n fyne.ThemeSizeName) float32 { return t.base().Size(n) }

// callPanelColor is the call panel's background: the window's, tinted a
// little with the theme's primary colour so the panel stands out.
func callPanelColor(base fyne.Theme, v fyne.ThemeVariant) color.Color {
	return mix(base.Color(theme.ColorNameBackground, v), base.Color(theme.ColorNamePrimary, v), 0.1)
}

// panelTint is the call panel's background; it takes the theme's colours
// again whenever the theme changes.
type panelTint struct {
	widget.BaseWidget
	rect *canvas.Rectangle
}

func newPanelTint() *panelTint {
	t := &panelTint{rect: canvas.NewRectangle(color.Transparent)}
	t.rect.CornerRadius = theme.Padding() * 2
	t.ExtendBaseWidget(t)
	return t
}

func (t *panelTint) CreateRenderer() fyne.WidgetRenderer {
	return &tintRenderer{t: t}
}

type tintRenderer struct{ t *panelTint }

func (r *tintRenderer) Layout(s fyne.Size) { r.t.rect.Resize(s) }
func (r *tintRenderer) MinSize() fyne.Size { return fyne.Size{} }
func (r *tintRenderer) Destroy()           {}
func (r *tintRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.t.rect}
}

func (r *tintRenderer) Refresh() {
	a := fyne.CurrentApp()
	r.t.rect.FillColor = callPanelColor(a.Settings().Theme(), a.Settings().ThemeVariant())
	r.t.rect.Refresh()
}
