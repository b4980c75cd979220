package call

import "fmt"

// State is where a call stands.
type State int

// Call states. Idle means no call.
const (
	Idle       State = iota
	Calling          // outgoing: the offer is out, waiting for an answer (Info.RemoteRinging once it rings)
	Ringing          // incoming: asking the user
	Connecting       // answered: opening the media path and the audio device
	Active           // talking
	Ended            // over; Info.Reason says why
)

// String names the state as status --json shows it.
func (s State) String() string {
	switch s {
	case Idle:
		return "idle"
	case Calling:
		return "calling"
	case Ringing:
		return "ringing"
	case Connecting:
		return "connecting"
	case Active:
		return "active"
	case Ended:
		return "ended"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Reason says why a call ended.
type Reason string

// Why calls end.
const (
	ReasonHangup       Reason = "hangup"        // we hung up an established call
	ReasonRemoteHangup Reason = "remote-hangup" // the contact hung up
	ReasonDeclined     Reason = "declined"      // the callee declined (either side reports this)
	ReasonBusy         Reason = "busy"          // the callee was in another call
	ReasonCancelled    Reason = "cancelled"     // the caller gave up before an answer
	ReasonMissed       Reason = "missed"        // incoming, never answered here
	ReasonNoAnswer     Reason = "no-answer"     // outgoing, not answered in time
	ReasonOffline      Reason = "offline"       // the offer never reached the contact's app
	ReasonFailed       Reason = "failed"        // the media path or the audio device could not be opened
	ReasonLost         Reason = "lost"          // both the media and the signalling went silent
	ReasonShutdown     Reason = "shutdown"      // the app quit during the call
)
