package ui

import (
	"fmt"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/audio"
)

// systemDefault is the picker's entry for the device the OS chooses.
const systemDefault = "System default"

// callDevices is the call panel's second line: the microphone and speaker
// pickers and the microphone's level. Choosing a device calls onChange with
// both devices' IDs ("" is the system default).
type callDevices struct {
	mic, speaker *deviceChoice
	level        *widget.ProgressBar
	levelShown   float64
	onChange     func(capture, playback string)
	root         *fyne.Container
}

func newCallDevices(onChange func(capture, playback string)) *callDevices {
	d := &callDevices{onChange: onChange}
	d.mic = newDeviceChoice(d.changed)
	d.speaker = newDeviceChoice(d.changed)
	d.level = widget.NewProgressBar()
	d.level.TextFormatter = func() string { return "" }
	micWord := widget.NewLabel("Microphone")
	speakerWord := widget.NewLabel("Speaker")
	d.root = container.New(&deviceRow{},
		widget.NewIcon(micIcon), micWord, d.mic.sel, d.level,
		widget.NewIcon(theme.VolumeUpIcon()), speakerWord, d.speaker.sel)
	return d
}

// set shows the devices the node lists and the chosen ones.
func (d *callDevices) set(capture, playback []audio.Info, chosenCapture, chosenPlayback string) {
	d.mic.set(capture, chosenCapture)
	d.speaker.set(playback, chosenPlayback)
}

// settle marks the devices shown as the node's, after a change was taken
// (ok) or refused (the pickers go back to what the node has).
func (d *callDevices) settle(ok bool) {
	d.mic.settle(ok)
	d.speaker.settle(ok)
}

// enable lets the user choose, or not while a change is in flight.
func (d *callDevices) enable(on bool) {
	for _, c := range []*deviceChoice{d.mic, d.speaker} {
		if on {
			c.sel.Enable()
		} else {
			c.sel.Disable()
		}
	}
}

func (d *callDevices) changed() {
	d.mic.pending, d.speaker.pending = d.mic.id(), d.speaker.id()
	d.onChange(d.mic.pending, d.speaker.pending)
}

// showLevel shows the level meter while there is a level to show.
func (d *callDevices) showLevel(on bool) {
	if on == d.level.Visible() {
		return
	}
	if on {
		d.level.Show()
	} else {
		d.level.Hide()
	}
	d.root.Refresh()
}

// setLevel shows the microphone's peak level (0 to 1, linear); tiny changes
// are not drawn.
func (d *callDevices) setLevel(level float64) {
	v := meterValue(level)
	if math.Abs(v-d.levelShown) < 0.02 && !(v == 0 && d.levelShown != 0) {
		return
	}
	d.levelShown = v
	d.level.SetValue(v)
}

// deviceChoice is one device picker: the system default, then the devices,
// each by name; it knows each name's device ID.
type deviceChoice struct {
	sel      *widget.Select
	ids      map[string]string // label -> device ID
	chosen   string            // the node's choice, a device ID
	pending  string            // the ID last asked for
	applying bool              // the code, not the user, is setting the picker
}

func newDeviceChoice(onChange func()) *deviceChoice {
	c := &deviceChoice{ids: map[string]string{systemDefault: ""}}
	c.sel = widget.NewSelect([]string{systemDefault}, func(string) {
		if !c.applying {
			onChange()
		}
	})
	c.select_("")
	return c
}

// set lists devs (the system default first, whether or not devs has it)
// and selects chosen; a chosen device that is not connected shows as the
// system default, which is what the node then uses.
func (c *deviceChoice) set(devs []audio.Info, chosen string) {
	c.ids = map[string]string{systemDefault: ""}
	labels := []string{systemDefault}
	for _, d := range devs {
		if d.ID == "" {
			continue
		}
		label := d.Name
		if label == "" {
			label = d.ID
		}
		for n := 2; ; n++ {
			if _, taken := c.ids[label]; !taken {
				break
			}
			label = fmt.Sprintf("%s (%d)", d.Name, n)
		}
		c.ids[label] = d.ID
		labels = append(labels, label)
	}
	c.chosen = chosen
	c.applying = true
	c.sel.SetOptions(labels)
	c.applying = false
	c.select_(chosen)
}

// settle makes the node's choice the one asked for (ok), or shows the
// node's choice again.
func (c *deviceChoice) settle(ok bool) {
	if ok {
		c.chosen = c.pending
	}
	c.select_(c.chosen)
}

// id is the device ID of the label selected.
func (c *deviceChoice) id() string { return c.ids[c.sel.Selected] }

// select_ selects the device with id, or the system default.
func (c *deviceChoice) select_(id string) {
	label := systemDefault
	for l, x := range c.ids {
		if x == id && id != "" {
			label = l
		}
	}
	c.applying = true
	c.sel.SetSelected(label)
	c.applying = false
}

// deviceRow lays out the pickers on one line: microphone icon, word and
// picker, the level meter, then the same for the speaker. The words go
// when the line is too narrow for them; the pickers share what is left.
type deviceRow struct{}

// deviceRowWords is the narrowest row that still shows the words.
const deviceRowWords = 620

func (deviceRow) MinSize(objects []fyne.CanvasObject) fyne.Size {
	icon := theme.IconInlineSize()
	gap := theme.Padding() * 2
	h := objects[2].MinSize().Height
	return fyne.NewSize(2*icon+2*100+48+5*gap, h)
}

func (deviceRow) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	micIcon, micWord, mic, level := objects[0], objects[1], objects[2], objects[3]
	spkIcon, spkWord, spk := objects[4], objects[5], objects[6]
	icon := theme.IconInlineSize()
	gap := theme.Padding() * 2
	h := size.Height
	levelW := min(max(size.Width*0.14, 48), 120)
	if !level.Visible() {
		levelW = 0
	}
	words := size.Width >= deviceRowWords
	var wordW float32
	if words {
		wordW = micWord.MinSize().Width + spkWord.MinSize().Width
	}
	used := 2*icon + wordW + levelW + 4*gap
	selW := min(max((size.Width-used)/2, 80), 280)

	x := float32(0)
	place := func(o fyne.CanvasObject, w, oh float32) {
		o.Move(fyne.NewPos(x, (h-oh)/2))
		o.Resize(fyne.NewSize(w, oh))
		x += w
	}
	placeWord := func(o fyne.CanvasObject) {
		if !words {
			if o.Visible() {
				o.Hide()
			}
			return
		}
		if !o.Visible() {
			o.Show()
		}
		place(o, o.MinSize().Width, o.MinSize().Height)
	}
	place(micIcon, icon, icon)
	placeWord(micWord)
	x += gap / 2
	place(mic, selW, mic.MinSize().Height)
	if levelW > 0 {
		x += gap
		place(level, levelW, theme.Padding()*2)
	}
	x += 2 * gap
	place(spkIcon, icon, icon)
	placeWord(spkWord)
	x += gap / 2
	place(spk, selW, spk.MinSize().Height)
}
