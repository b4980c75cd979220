package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"tincan/core/audio"
	"tincan/core/node"
)

// memCall is a memBackend's call: what CurrentCall reports, the devices,
// and the call methods taken, in order.
type memCall struct {
	log                           []string // "call Ana", "answer Ben", "hangup", "mute on", "devices MIC,SPK"...
	view                          node.CallView
	polls                         int // CurrentCall calls
	seq                           int
	capture, playback             []audio.Info
	chosenCapture, chosenPlayback string
	err                           error // what the call methods fail with
	devErr                        error // what SetAudioDevices fails with
}

func (b *memBackend) logCallLocked(s string) { b.call.log = append(b.call.log, s) }

func (b *memBackend) emitCallLocked() {
	v := b.call.view
	b.emitLocked(node.Event{Call: &v})
}

func (b *memBackend) Call(_ context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logCallLocked("call " + name)
	if b.call.err != nil {
		return b.call.err
	}
	if callOn(b.call.view) {
		return errors.New("already in a call")
	}
	i := b.indexLocked(name)
	if i < 0 {
		return errors.New("no such contact")
	}
	if b.contacts[i].Revoked {
		return errors.New(name + " was revoked in a rotation and can no longer be called")
	}
	b.call.seq++
	b.call.view = node.CallView{ID: fmt.Sprintf("%032x", b.call.seq), State: callCalling, Contact: name,
		Direction: "outgoing"}
	b.emitCallLocked()
	return nil
}

func (b *memBackend) Answer(_ context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logCallLocked("answer " + name)
	if b.call.err != nil {
		return b.call.err
	}
	if !callRingsHere(b.call.view) || b.call.view.Contact != name {
		return errors.New("no call is ringing from this contact")
	}
	b.call.view.State = callConnecting
	b.emitCallLocked()
	return nil
}

func (b *memBackend) Decline(_ context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logCallLocked("decline " + name)
	if b.call.err != nil {
		return b.call.err
	}
	if !callRingsHere(b.call.view) || b.call.view.Contact != name {
		return errors.New("no call is ringing from this contact")
	}
	b.call.view.State, b.call.view.Reason = callEnded, "declined"
	b.emitCallLocked()
	return nil
}

func (b *memBackend) Hangup(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logCallLocked("hangup")
	if b.call.err != nil {
		return b.call.err
	}
	if !callOn(b.call.view) {
		return errors.New("no call in progress")
	}
	reason := "cancelled"
	if b.call.view.State == callActive {
		reason = "hangup"
	}
	b.call.view.State, b.call.view.Reason = callEnded, reason
	b.emitCallLocked()
	return nil
}

func (b *memBackend) SetMute(_ context.Context, on bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logCallLocked(map[bool]string{true: "mute on", false: "mute off"}[on])
	if b.call.err != nil {
		return b.call.err
	}
	if !callOn(b.call.view) {
		return errors.New("no call in progress")
	}
	b.call.view.Muted = on
	b.emitCallLocked()
	return nil
}

func (b *memBackend) CurrentCall() node.CallView {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.call.polls++
	if b.call.view.State == "" {
		return node.CallView{State: callIdle}
	}
	return b.call.view
}

func (b *memBackend) AudioDevices() ([]audio.Info, []audio.Info, string, string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := append([]audio.Info{audio.SystemDefault}, b.call.capture...)
	p := append([]audio.Info{audio.SystemDefault}, b.call.playback...)
	return c, p, b.call.chosenCapture, b.call.chosenPlayback, nil
}

func (b *memBackend) SetAudioDevices(_ context.Context, capture, playback string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logCallLocked("devices " + capture + "," + playback)
	if b.call.devErr != nil {
		return b.call.devErr
	}
	b.call.chosenCapture, b.call.chosenPlayback = capture, playback
	return nil
}

// callEvent is the node reporting the call v (and CurrentCall returning it).
func (b *memBackend) callEvent(v node.CallView) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.call.view = v
	b.emitCallLocked()
}

// setLevel makes CurrentCall report the microphone at level.
func (b *memBackend) setLevel(level float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := node.CallStats{InputLevel: level}
	if b.call.view.Stats != nil {
		st = *b.call.view.Stats
		st.InputLevel = level
	}
	b.call.view.Stats = &st
}

// callLog returns the call methods taken so far.
func (b *memBackend) callLog() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.call.log)
}

// polls is how many times CurrentCall was asked.
func (b *memBackend) polls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.call.polls
}

// ringing is a call from name ringing here, as the node reports it.
func ringing(id, name string) node.CallView {
	return node.CallView{ID: id, State: callRinging, Contact: name, Direction: callIncoming}
}

// active is an outgoing call with name, talking since started over path.
func active(id, name, path, relay string, started time.Time) node.CallView {
	return node.CallView{ID: id, State: callActive, Contact: name, Direction: "outgoing", Path: path,
		Relay: relay, StartedAt: &started, Stats: &node.CallStats{InputLevel: 0.2}}
}
