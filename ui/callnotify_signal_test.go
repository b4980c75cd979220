//go:build linux

package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"

	"tincan/assets"
)

func TestReadNotifySignal(t *testing.T) {
	for _, tc := range []struct {
		s    *dbus.Signal
		want notifySignal
		ok   bool
	}{
		{&dbus.Signal{Path: notifyPath, Name: notifyIface + ".ActionInvoked", Body: []any{uint32(7), "accept"}},
			notifySignal{kind: "action", id: 7, action: "accept"}, true},
		{&dbus.Signal{Path: notifyPath, Name: notifyIface + ".NotificationClosed", Body: []any{uint32(7), uint32(2)}},
			notifySignal{kind: "closed", id: 7}, true},
		{&dbus.Signal{Path: "/org/freedesktop/DBus", Name: busName + ".NameOwnerChanged",
			Body: []any{notifyName, ":1.4", ""}}, notifySignal{kind: "owner"}, true},
		{&dbus.Signal{Path: "/org/freedesktop/DBus", Name: busName + ".NameOwnerChanged",
			Body: []any{notifyName, "", ":1.9"}}, notifySignal{kind: "owner", owner: ":1.9"}, true},
		{&dbus.Signal{Path: "/elsewhere", Name: notifyIface + ".ActionInvoked", Body: []any{uint32(7), "accept"}}, notifySignal{}, false},
		{&dbus.Signal{Path: notifyPath, Name: notifyIface + ".ActionInvoked", Body: []any{int32(7), "accept"}}, notifySignal{}, false},
		{&dbus.Signal{Path: notifyPath, Name: notifyIface + ".ActionInvoked", Body: []any{uint32(0), "accept"}}, notifySignal{}, false},
		{&dbus.Signal{Path: notifyPath, Name: notifyIface + ".ActionInvoked", Body: []any{uint32(7)}}, notifySignal{}, false},
		{&dbus.Signal{Path: notifyPath, Name: notifyIface + ".NotificationClosed", Body: []any{uint32(7), "2"}}, notifySignal{}, false},
		{&dbus.Signal{Path: "/org/freedesktop/DBus", Name: busName + ".NameOwnerChanged",
			Body: []any{"org.example.Other", "", ":1.9"}}, notifySignal{}, false},
		{nil, notifySignal{}, false},
	} {
		got, ok := readNotifySignal(tc.s)
		if got != tc.want || ok != tc.ok {
			t.Errorf("signal %+v reads as %+v, %v; want %+v, %v", tc.s, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzReadNotifySignal builds signals of every shape from the fuzzer's
// values and checks that a well-formed one is read back exactly and a
// malformed one is refused.
func FuzzReadNotifySignal(f *testing.F) {
	f.Add(uint8(0), uint8(0), true, uint32(7), "accept", uint32(2), ":1.4")
	f.Add(uint8(1), uint8(0), true, uint32(9), "", uint32(3), "")
	f.Add(uint8(2), uint8(0), false, uint32(0), "org.freedesktop.Notifications", uint32(0), ":1.7")
	f.Add(uint8(0), uint8(3), true, uint32(1), "decline", uint32(1), "x")
	f.Fuzz(func(t *testing.T, member, shape uint8, atPath bool, id uint32, key string, reason uint32, owner string) {
		path := notifyPath
		if !atPath {
			path = "/org/freedesktop/DBus"
		}
		names := []string{notifyIface + ".ActionInvoked", notifyIface + ".NotificationClosed",
			busName + ".NameOwnerChanged", notifyIface + ".Other"}
		name := names[int(member)%len(names)]
		var body []any
		switch shape % 4 {
		case 0: // the right shape for the member
			switch member % 4 {
			case 0:
				body = []any{id, key}
			case 1:
				body = []any{id, reason}
			case 2:
				body = []any{key, "", owner}
			}
		case 1:
			body = []any{int64(id), key}
		case 2:
			body = []any{id}
		case 3:
			body = []any{key, id, owner}
		}
		got, ok := readNotifySignal(&dbus.Signal{Path: path, Name: name, Body: body})
		right := shape%4 == 0
		switch member % 4 {
		case 0:
			wantOK := right && atPath && id != 0 && len(key) <= maxActionKey
			if ok != wantOK || (ok && (got != notifySignal{kind: "action", id: id, action: key})) {
				t.Fatalf("ActionInvoked(%d, %q) at %s with shape %d reads %+v, %v", id, key, path, shape%4, got, ok)
			}
		case 1:
			wantOK := right && atPath && id != 0
			if ok != wantOK || (ok && (got != notifySignal{kind: "closed", id: id})) {
				t.Fatalf("NotificationClosed(%d) at %s with shape %d reads %+v, %v", id, path, shape%4, got, ok)
			}
		case 2:
			wantOK := right && key == notifyName
			if ok != wantOK || (ok && (got != notifySignal{kind: "owner", owner: owner})) {
				t.Fatalf("NameOwnerChanged(%q, %q) with shape %d reads %+v, %v", key, owner, shape%4, got, ok)
			}
		default:
			if ok {
				t.Fatalf("an unknown signal was read as %+v", got)
			}
		}
	})
}

func TestIconImageAverages(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 4, 2))
	for x := range 2 {
		for y := range 2 {
			src.SetNRGBA(x, y, color.NRGBA{R: 200, G: 100, B: 0, A: 255}) // left half: opaque orange
		}
	}
	src.SetNRGBA(2, 0, color.NRGBA{R: 0, G: 0, B: 255, A: 255}) // right half: one blue pixel in four
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	img, err := iconImage(fyne.NewStaticResource("t.png", buf.Bytes()), 2)
	if err != nil {
		t.Fatal(err)
	}
	if img.Width != 2 || img.Height != 2 || img.Rowstride != 8 || !img.HasAlpha || img.Channels != 4 ||
		img.BitsPerSample != 8 || len(img.Data) != 16 {
		t.Fatalf("the scaled image is %+v without its data (%d bytes)", img, len(img.Data))
	}
	if got := img.Data[0:4]; !bytes.Equal(got, []byte{200, 100, 0, 255}) {
		t.Errorf("the opaque half averages to %v, want it unchanged", got)
	}
	// Transparent pixels do not darken the colour; they only lower alpha.
	if got := img.Data[4:8]; got[0] != 0 || got[1] != 0 || got[2] != 255 || got[3] < 126 || got[3] > 128 {
		t.Errorf("one blue pixel and one clear one average to %v, want blue at half alpha", got)
	}
	if got := img.Data[12:16]; got[3] != 0 {
		t.Errorf("a clear block averages to %v, want alpha 0", got)
	}

	app, err := iconImage(assets.Icon, notifyIconSize)
	if err != nil || len(app.Data) != notifyIconSize*notifyIconSize*4 {
		t.Fatalf("the app icon scales to %d bytes (%v)", len(app.Data), err)
	}
	if _, err := iconImage(fyne.NewStaticResource("bad.png", []byte("not a png")), 8); err == nil {
		t.Error("a resource that is no image should be refused")
	}
}
