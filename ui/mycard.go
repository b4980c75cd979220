package ui

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"
)

// qrPixels is the size the QR code is rendered at; it is shown smaller.
const qrPixels = 512

// qrShown is the side the QR code is shown at: big enough to scan from a
// phone, small enough for a 480x360 window (the dialog scrolls).
const qrShown = 220

// myCard is what the my-card dialog shows, gathered off the UI goroutine.
type myCard struct {
	name, card, fingerprint, listen string
	qr                              image.Image
}

// cardDialog is the open my-card dialog.
type cardDialog struct {
	info  myCard
	copy  *widget.Button
	text  *widget.Label
	dlg   *dialog.CustomDialog
	sheet *sheet
}

// gatherCard reads the card, status and QR code from the backend.
func gatherCard(ctx context.Context, b Backend) (myCard, error) {
	c := myCard{name: b.Name(), card: b.Card()}
	if st, err := b.Status(ctx); err != nil {
		slog.Warn("status for my card", "err", err)
	} else {
		c.fingerprint, c.listen = st.Fingerprint, st.Listen
	}
	q, err := qrcode.New(b.QRText(), qrcode.Medium)
	if err != nil {
		return c, fmt.Errorf("draw QR code: %w", err)
	}
	c.qr = q.Image(qrPixels)
	return c, nil
}

func (m *Main) showMyCard() {
	m.work.background(func(ctx context.Context) func() {
		c, err := gatherCard(ctx, m.b)
		return func() {
			if err != nil {
				slog.Warn("my card", "err", err)
			}
			m.cardDialog = m.openCard(c)
		}
	})
}

func (m *Main) openCard(c myCard) *cardDialog {
	d := &cardDialog{info: c}
	name := widget.NewLabelWithStyle(c.name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.SizeName = theme.SizeNameSubHeadingText
	intro := widget.NewLabel("Give this card only to people you trust: with it they can reach you. " +
		"They can scan the code or paste the text.")
	intro.Wrapping = fyne.TextWrapWord

	var code fyne.CanvasObject = widget.NewLabel("(no QR code)")
	if c.qr != nil {
		img := canvas.NewImageFromImage(c.qr)
		img.FillMode = canvas.ImageFillContain
		img.ScaleMode = canvas.ImageScalePixels
		img.SetMinSize(fyne.NewSquareSize(qrShown))
		code = img
	}

	d.text = widget.NewLabel(c.card)
	d.text.Selectable = true
	d.text.Wrapping = fyne.TextWrapBreak
	d.text.TextStyle = fyne.TextStyle{Monospace: true}
	d.text.SizeName = theme.SizeNameCaptionText
	d.copy = widget.NewButtonWithIcon("Copy card", theme.ContentCopyIcon(), func() {
		m.app.Clipboard().SetContent(c.card)
		d.copy.SetText("Copied")
		d.copy.SetIcon(theme.ConfirmIcon())
	})
	d.copy.Importance = widget.HighImportance

	info := []fyne.CanvasObject{name, intro, container.NewCenter(code), d.text}
	if c.fingerprint != "" {
		info = append(info, small("Fingerprint (compare it aloud with a contact)\n"+fingerprintWords(c.fingerprint)))
	}
	if c.listen != "" {
		info = append(info, small("Listening on "+c.listen))
	}
	closeBtn := widget.NewButton("Close", nil)
	rotate := widget.NewButtonWithIcon("Rotate my card…", theme.ViewRefreshIcon(), nil)
	rotate.Importance = widget.LowImportance
	d.sheet = newSheet(m.w, "My card", 620, container.NewVBox(info...), []fyne.CanvasObject{rotate}, closeBtn, d.copy)
	d.dlg = d.sheet.dlg
	closeBtn.OnTapped = d.dlg.Hide
	rotate.OnTapped = func() {
		d.dlg.Hide()
		m.showRotate()
	}
	d.sheet.show()
	return d
}

// small is a detail line (or lines) under the card.
func small(s string) fyne.CanvasObject {
	q := newQuietText(s, theme.SizeNameCaptionText, fyne.TextAlignLeading)
	q.Truncation = fyne.TextTruncateOff
	return q
}

// groupHex splits a hex fingerprint into groups of four for reading aloud,
// eight groups a line.
func groupHex(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		switch {
		case i == 0:
		case i%32 == 0:
			b.WriteByte('\n')
		default:
			b.WriteByte(' ')
		}
		b.WriteString(h[i:min(i+4, len(h))])
	}
	return b.String()
}
