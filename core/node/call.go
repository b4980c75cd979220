package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"tincan/core/audio"
	"tincan/core/call"
	"tincan/core/chat"
	"tincan/core/store"
	"tincan/core/wire"
)

// CallView is a call as the UI and CLI show it (`status --json` .call).
// JSON names are part of the CLI contract.
type CallView struct {
	ID            string     `json:"id,omitempty"`
	State         string     `json:"state"` // idle, calling, ringing, connecting, active, ended
	Contact       string     `json:"contact,omitempty"`
	Direction     string     `json:"direction,omitempty"` // outgoing or incoming
	RemoteRinging bool       `json:"remote_ringing,omitempty"`
	Muted         bool       `json:"muted"`
	Path          string     `json:"path,omitempty"`  // punched-udp, direct or relay
	Relay         string     `json:"relay,omitempty"` // the relay's address when path is relay
	Remote        string     `json:"remote,omitempty"`
	StartedAt     *time.Time `json:"started_at,omitempty"` // when it was answered
	Duration      float64    `json:"duration_seconds"`
	Reason        string     `json:"reason,omitempty"` // why it ended
	Error         string     `json:"error,omitempty"`
	Stats         *CallStats `json:"stats,omitempty"`
}

// CallStats are a call's live media figures. JSON names are part of the
// CLI contract.
type CallStats struct {
	Loss         float64 `json:"loss"`      // fraction of our packets the contact lost, recent
	Concealed    float64 `json:"concealed"` // fraction of frames we played that were concealed
	RecoveredFEC uint64  `json:"recovered_fec"`
	Lost         uint64  `json:"lost"`             // the contact's packets that never played
	ConcealedN   uint64  `json:"concealed_frames"` // frames played concealed
	JitterMs     float64 `json:"jitter_buffer_ms"`
	RTTMs        float64 `json:"rtt_ms"`
	Bitrate      int     `json:"bitrate"`
	Sent         uint64  `json:"sent"`
	Received     uint64  `json:"received"`
	Dropped      uint64  `json:"dropped"` // packets refused: strangers, replays, other calls
	InputLevel   float64 `json:"input_level"`
}

// AudioOptions choose the call audio device.
type AudioOptions struct {
	// Spec is "" or "default" (the system's devices, or the saved choice),
	// "null" (miniaudio's null backend) or "wav:IN.wav,OUT.wav".
	Spec string
}

// Settings keys of the chosen devices.
const (
	settingCapture  = "audio.capture"
	settingPlayback = "audio.playback"
)

// callPart composes the call manager, the media engine and the node.
type callPart struct {
	n      *Node
	spec   audio.Spec
	mgr    *call.Manager
	engine *call.Engine

	events *queue[call.Info] // the manager's reports, handled in order off its lock
	ring   *ringer

	mu       sync.Mutex
	capture  string // chosen device IDs; "" is the system default
	playback string
	names    map[int64]string // contact names of the current call, for views
}

// startCalls builds the call part; it needs the chat manager and, for UDP
// media, the NAT part's socket.
func (n *Node) startCalls(opts AudioOptions) error {
	spec, err := audio.ParseSpec(opts.Spec)
	if err != nil {
		return badInput(err)
	}
	p := &callPart{n: n, spec: spec, names: map[int64]string{}, events: newQueue[call.Info](),
		ring: &ringer{log: n.log.With("part", "ring")}}
	if spec.Kind == audio.SpecDefault {
		p.ring.open = p.openAudio // a WAV or null device has no one to ring
	}
	ctx := context.Background()
	p.capture, _ = n.st.Setting(ctx, settingCapture)
	p.playback, _ = n.st.Setting(ctx, settingPlayback)
	var udp call.UDPConn
	if n.nat != nil {
		udp = n.nat.mux
	}
	p.engine = call.NewEngine(call.EngineConfig{
		UDP:        udp,
		Session:    n.chat,
		Audio:      p.openAudio,
		EchoCancel: spec.Kind == audio.SpecDefault,
		Logger:     n.log.With("part", "call"),
	})
	p.mgr = call.New(call.Config{
		Signal:     n.chat,
		Media:      p.engine,
		Candidates: p.candidates,
		Connect:    n.chat.Kick,
		Emit:       p.events.push,
		Logger:     n.log.With("part", "call"),
	})
	n.calls = p
	return nil
}

// chatCalls is chat's CallHandler: signals to the manager, media to the engine.
type chatCalls struct{ p **callPart }

func (h chatCalls) OnCallSignal(contactID int64, c wire.Call) {
	if p := *h.p; p != nil {
		p.mgr.OnSignal(contactID, c)
	}
}

func (h chatCalls) OnCallMedia(contactID int64, packet []byte) {
	if p := *h.p; p != nil {
		p.engine.OnMedia(contactID, packet)
	}
}

// openAudio opens the device for one call.
func (p *callPart) openAudio() (audio.Device, error) {
	switch p.spec.Kind {
	case audio.SpecWAV:
		return audio.NewWAV(p.spec.In, p.spec.Out, audio.WAVOptions{})
	case audio.SpecNull:
		return audio.NewMalgo(audio.MalgoConfig{Backend: "null", Logger: p.n.log})
	}
	p.mu.Lock()
	capture, playback := p.capture, p.playback
	p.mu.Unlock()
	return audio.NewMalgo(audio.MalgoConfig{CaptureID: capture, PlaybackID: playback, Logger: p.n.log,
		OnLost: p.onDeviceLost})
}

// onDeviceLost moves the call to the system default devices when the chosen
// one disappears (a headset unplugged): the call goes on.
func (p *callPart) onDeviceLost() {
	p.n.log.Warn("audio device lost: switching to the system default")
	p.mu.Lock()
	p.capture, p.playback = "", ""
	p.mu.Unlock()
	if err := p.engine.SwapAudio(); err != nil {
		p.n.log.Error("no audio device to switch to", "err", err)
	}
}

// candidates are our UDP addresses for the contact: each interface address
// with the node's UDP port, the external address STUN found, and the
// external addresses our overlay peers see with the UDP port.
func (p *callPart) candidates() []string {
	n := p.n
	if n.nat == nil {
		return nil
	}
	local := n.nat.mux.LocalAddr()
	var out []string
	add := func(a netip.AddrPort) {
		if a.IsValid() && a.Port() != 0 && !a.Addr().IsUnspecified() && !slices.Contains(out, a.String()) {
			out = append(out, a.String())
		}
	}
	n.nat.mu.Lock()
	if rep := n.nat.report; rep != nil {
		add(rep.External)
	}
	n.nat.mu.Unlock()
	if local.Addr().IsUnspecified() {
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok {
					if ip, ok := netip.AddrFromSlice(ipn.IP); ok && !ip.Unmap().IsLinkLocalUnicast() {
						add(netip.AddrPortFrom(ip.Unmap(), local.Port()))
					}
				}
			}
		}
	} else {
		add(local)
	}
	if n.ov != nil {
		for _, o := range n.ov.net.Observed() {
			add(netip.AddrPortFrom(o.Addr().Unmap(), local.Port()))
		}
	}
	return out
}

// run handles the manager's reports in order until the queue is closed
// and drained (Node.Close), so the last call's line is always written.
func (p *callPart) run() {
	defer p.ring.stop()
	for {
		info, ok := p.events.pop(nil)
		if !ok {
			return
		}
		p.onCall(info)
	}
}

// onCall turns one of the manager's reports into a node event, a tone, and
// for an ended call a line in the conversation.
func (p *callPart) onCall(info call.Info) {
	switch {
	case info.State == call.Ringing:
		p.ring.set("ring")
	case info.State == call.Calling && info.RemoteRinging:
		p.ring.set("ringback")
	default:
		p.ring.set("")
	}
	name := p.contactName(info.ContactID)
	v := callView(info, name)
	p.n.publish(Event{Call: &v})
	if info.State != call.Ended {
		return
	}
	text, unread := callLine(info, name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := p.n.st.AddCallRecord(ctx, info.ContactID, info.Incoming, text, info.EndedAt, unread)
	if err != nil {
		p.n.log.Error("call record not saved", "err", err)
		return
	}
	mv := messageView(name, m)
	p.n.publish(Event{Message: &mv})
}

func (p *callPart) contactName(id int64) string {
	p.mu.Lock()
	name, ok := p.names[id]
	p.mu.Unlock()
	if ok {
		return name
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := p.n.st.ContactByID(ctx, id)
	if err != nil {
		return fmt.Sprintf("contact %d", id)
	}
	p.mu.Lock()
	p.names[id] = c.Name
	p.mu.Unlock()
	return c.Name
}

// callLine is the conversation's line for an ended call, and whether it is
// unread (a missed call the user should see).
func callLine(info call.Info, name string) (string, bool) {
	if !info.StartedAt.IsZero() {
		s := "Call, " + clockDuration(info.Duration())
		if info.Reason == call.ReasonLost {
			s += " (connection lost)"
		}
		return s, false
	}
	switch info.Reason {
	case call.ReasonMissed:
		return "Missed call", true
	case call.ReasonDeclined:
		if info.Incoming {
			return "Declined call", false
		}
		return name + " declined the call", false
	case call.ReasonBusy:
		return name + " was in another call", false
	case call.ReasonCancelled:
		return "Cancelled call", false
	case call.ReasonNoAnswer:
		return "No answer", false
	case call.ReasonOffline:
		return "Call failed: " + name + " is offline", false
	}
	if info.Incoming {
		return "Missed call", true
	}
	return "Call failed", false
}

// clockDuration writes d as m:ss (or h:mm:ss).
func clockDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func callView(info call.Info, name string) CallView {
	v := CallView{ID: info.ID, State: info.State.String(), Contact: name, Muted: info.Muted,
		RemoteRinging: info.RemoteRinging, Reason: string(info.Reason), Error: info.Error,
		Direction: "outgoing", Duration: info.Duration().Seconds()}
	if info.Incoming {
		v.Direction = "incoming"
	}
	if !info.StartedAt.IsZero() {
		t := info.StartedAt
		v.StartedAt = &t
	}
	st := info.Stats
	if st.Path != "" {
		v.Path, v.Relay, v.Remote = st.Path, st.Relay, st.Remote
		v.Stats = &CallStats{Loss: st.Loss, Concealed: st.Concealed, RecoveredFEC: st.Recovered, Lost: st.Lost, ConcealedN: st.ConcealedN,
			JitterMs: float64(st.JitterDepth.Microseconds()) / 1000, RTTMs: float64(st.RTT.Microseconds()) / 1000,
			Bitrate: st.Bitrate, Sent: st.Sent, Received: st.Received, Dropped: st.Dropped, InputLevel: st.InputLevel}
	}
	return v
}

// callContact finds a contact that can be called: known and not revoked.
func (n *Node) callContact(ctx context.Context, name string) (store.Contact, error) {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return c, err
	}
	if c.Revoked {
		return c, badInput(fmt.Errorf("%s was revoked in a rotation and can no longer be called", c.Name))
	}
	return c, nil
}

// callErr marks the call manager's refusals as bad usage.
func callErr(err error) error {
	if errors.Is(err, call.ErrBusy) || errors.Is(err, call.ErrNotRinging) || errors.Is(err, call.ErrNoCall) {
		return badInput(err)
	}
	return err
}

// Call calls the contact; progress arrives as Call events.
func (n *Node) Call(ctx context.Context, name string) error {
	c, err := n.callContact(ctx, name)
	if err != nil {
		return err
	}
	return callErr(n.calls.mgr.Dial(c.ID))
}

// Answer accepts the call ringing from the contact.
func (n *Node) Answer(ctx context.Context, name string) error {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return err
	}
	return callErr(n.calls.mgr.Answer(c.ID))
}

// Decline refuses the call ringing from the contact.
func (n *Node) Decline(ctx context.Context, name string) error {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return err
	}
	return callErr(n.calls.mgr.Decline(c.ID))
}

// Hangup ends the current call.
func (n *Node) Hangup(context.Context) error { return callErr(n.calls.mgr.Hangup()) }

// SetMute mutes or unmutes the microphone in the current call.
func (n *Node) SetMute(_ context.Context, on bool) error { return callErr(n.calls.mgr.SetMute(on)) }

// CurrentCall reports the call in progress; State "idle" when none.
func (n *Node) CurrentCall() CallView {
	info, ok := n.calls.mgr.Current()
	if !ok {
		return CallView{State: call.Idle.String()}
	}
	return callView(info, n.calls.contactName(info.ContactID))
}

// AudioDevices lists the capture and playback devices, and the chosen ones'
// IDs ("" is the system default).
func (n *Node) AudioDevices() (capture, playback []audio.Info, chosenCapture, chosenPlayback string, err error) {
	capture, playback, err = audio.Devices()
	n.calls.mu.Lock()
	chosenCapture, chosenPlayback = n.calls.capture, n.calls.playback
	n.calls.mu.Unlock()
	return capture, playback, chosenCapture, chosenPlayback, err
}

// SetAudioDevices chooses (and remembers) the devices by ID, "" for the
// system default; a call in progress moves to them at once.
func (n *Node) SetAudioDevices(ctx context.Context, capture, playback string) error {
	if err := n.st.SetSetting(ctx, settingCapture, capture); err != nil {
		return fmt.Errorf("save audio device: %w", err)
	}
	if err := n.st.SetSetting(ctx, settingPlayback, playback); err != nil {
		return fmt.Errorf("save audio device: %w", err)
	}
	n.calls.mu.Lock()
	n.calls.capture, n.calls.playback = capture, playback
	n.calls.mu.Unlock()
	if n.calls.spec.Kind != audio.SpecDefault {
		return nil
	}
	return n.calls.engine.SwapAudio()
}

// onPresence tells the call manager that a contact's session changed.
func (p *callPart) onPresence(e chat.PresenceChanged) { p.mgr.OnSession(e.ContactID, e.Online) }
