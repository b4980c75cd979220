package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"tincan/core/node"
)

// Call states and directions as the node reports them in node.CallView.
const (
	callIdle       = "idle"
	callCalling    = "calling"
	callRinging    = "ringing"
	callConnecting = "connecting"
	callActive     = "active"
	callEnded      = "ended"

	callIncoming = "incoming"

	// kindCall marks a call's line in the conversation (node.MessageView.Kind).
	kindCall = "call"
)

// callOn reports whether v is a call in progress: ringing either way,
// connecting or talking.
func callOn(v node.CallView) bool {
	switch v.State {
	case callCalling, callRinging, callConnecting, callActive:
		return true
	}
	return false
}

// callRingsHere reports whether v is a call asking the user to answer.
func callRingsHere(v node.CallView) bool {
	return v.State == callRinging && v.Direction == callIncoming
}

// callStateWords says where a call in progress stands, for the call panel;
// elapsed is how long an active call has lasted.
func callStateWords(v node.CallView, elapsed time.Duration) string {
	var s string
	switch v.State {
	case callCalling, callRinging:
		switch {
		case callRingsHere(v):
			s = "Incoming call"
		case v.RemoteRinging:
			s = "Ringing…"
		default:
			s = "Calling " + v.Contact + "…"
		}
	case callConnecting:
		s = "Connecting…"
	case callActive:
		s = callClock(elapsed)
	case callEnded:
		return callEndWords(v)
	default:
		return ""
	}
	if p := callPathWords(v); p != "" && v.State != callCalling && v.State != callRinging {
		s += " · " + p
	}
	if v.Muted && v.State != callRinging {
		s += " · muted"
	}
	return s
}

// callBadgeWords is the short state the conversation header shows in place
// of the Call button while a call with that contact is on.
func callBadgeWords(v node.CallView, elapsed time.Duration) string {
	switch {
	case callRingsHere(v):
		return "Calling you…"
	case v.State == callCalling || v.State == callRinging:
		return "Calling…"
	case v.State == callConnecting:
		return "Connecting…"
	case v.State == callActive:
		return "In call · " + callClock(elapsed)
	}
	return ""
}

// callPathWords says how the call's audio travels, in plain words.
func callPathWords(v node.CallView) string {
	switch v.Path {
	case "":
		return ""
	case pathPunchedUDP:
		return "hole-punched UDP"
	case pathDirect:
		return "direct"
	case pathRelay:
		if v.Relay != "" {
			return "relay via " + v.Relay
		}
		return "relay"
	}
	return pathWords(v.Path)
}

// callEndWords says why a call ended, for the few seconds the panel stays.
func callEndWords(v node.CallView) string {
	name := v.Contact
	in := v.Direction == callIncoming
	var s string
	switch v.Reason {
	case "hangup":
		s = "Call ended"
	case "remote-hangup":
		s = "Call ended: " + name + " hung up"
	case "declined":
		if in {
			s = "Call declined"
		} else {
			s = "Call ended: " + name + " declined"
		}
	case "busy":
		s = "Call ended: " + name + " is in another call"
	case "cancelled":
		if in {
			s = "Missed call: " + name + " stopped calling"
		} else {
			s = "Call cancelled"
		}
	case "missed":
		s = "Missed call from " + name
	case "no-answer":
		s = "Call ended: no answer from " + name
	case "offline":
		s = "Call failed: " + name + " is offline"
	case "failed":
		s = "Call failed: " + callFailWords(v.Error)
	case "lost":
		s = "Call ended: the connection was lost"
	case "shutdown":
		s = "Call ended: tincan is closing"
	default:
		s = "Call ended"
	}
	if v.StartedAt != nil && v.Duration > 0 {
		// rounded, as the conversation's line for the call is
		s += " · " + callClock(time.Duration(v.Duration*float64(time.Second)).Round(time.Second))
	}
	return s
}

// callFailWords explains a failed call without the node's internal words.
func callFailWords(detail string) string {
	d := strings.ToLower(detail)
	switch {
	case strings.Contains(d, "audio") || strings.Contains(d, "device"):
		return "the microphone or speaker could not be opened"
	case d == "":
		return "something went wrong"
	}
	return "no connection for the audio could be opened"
}

// callElapsed is how long the active call v has lasted at now.
func callElapsed(v node.CallView, since, now time.Time) time.Duration {
	if v.StartedAt != nil {
		since = *v.StartedAt
	}
	if since.IsZero() || now.Before(since) {
		return 0
	}
	return now.Sub(since)
}

// callClock writes d as m:ss, or h:mm:ss past an hour.
func callClock(d time.Duration) string {
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// meterFloor is the quietest level the input meter shows, in dBFS.
const meterFloor = -60

// meterValue maps the microphone's peak level (0 to 1, linear) to the
// meter's 0..1 on a decibel scale, so speech moves it visibly.
func meterValue(level float64) float64 {
	if level <= 0 || math.IsNaN(level) {
		return 0
	}
	db := 20 * math.Log10(level)
	return min(max((db-meterFloor)/-meterFloor, 0), 1)
}
