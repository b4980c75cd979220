package audio

import (
	"fmt"

	"github.com/gen2brain/malgo"
)

// Info describes one audio device.
type Info struct {
	ID      string // what MalgoConfig takes; "" is the system default
	Name    string
	Default bool // the OS's current default device of its kind
}

// SystemDefault is the first entry of both of Devices' lists.
var SystemDefault = Info{ID: "", Name: "System default"}

// Devices lists the microphones and speakers of the platform's first
// working backend. Each list starts with SystemDefault, then the real
// devices (the null backend, where it is all there is, has one of each).
func Devices() (capture, playback []Info, err error) {
	return DevicesOn("")
}

// DevicesOn is Devices on one backend (a MalgoConfig.Backend name).
func DevicesOn(backend string) (capture, playback []Info, err error) {
	list, err := backendList(backend)
	if err != nil {
		return nil, nil, err
	}
	ctx, err := initContext(list, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("audio: init context: %w", err)
	}
	defer func() { _ = freeContext(ctx) }()
	capture, err = infos(ctx, malgo.Capture)
	if err != nil {
		return nil, nil, err
	}
	playback, err = infos(ctx, malgo.Playback)
	if err != nil {
		return nil, nil, err
	}
	return capture, playback, nil
}

// infos lists one kind of device, SystemDefault first.
func infos(ctx *malgo.AllocatedContext, kind malgo.DeviceType) ([]Info, error) {
	devs, err := ctx.Devices(kind)
	if err != nil {
		return nil, fmt.Errorf("audio: list devices: %w", err)
	}
	out := []Info{SystemDefault}
	for _, d := range devs {
		out = append(out, Info{ID: d.ID.String(), Name: d.Name(), Default: d.IsDefault != 0})
	}
	return out, nil
}
