package node

import (
	"context"
	"strings"
	"testing"
	"time"

	"tincan/core/call"
)

func TestCallRefusesBadUsageAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	ana, ben, carl := cachedNode(t, "Ana"), cachedNode(t, "Ben"), cachedNode(t, "Carl")
	befriend(t, ana, ben)
	befriend(t, ana, carl)
	delivered(t, ana, "Carl", "hi Carl")
	if _, err := ana.Rotate(ctx, []string{"Ben"}, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		err  error
	}{
		{"calling an unknown contact", ana.Call(ctx, "Nobody")},
		{"calling a revoked contact", ana.Call(ctx, "Carl")},
		{"answering with nothing ringing", ana.Answer(ctx, "Ben")},
		{"declining with nothing ringing", ana.Decline(ctx, "Ben")},
		{"hanging up with no call", ana.Hangup(ctx)},
		{"muting with no call", ana.SetMute(ctx, true)},
	} {
		if c.err == nil || !IsBadInput(c.err) {
			t.Errorf("%s: %v, want a bad-input error", c.what, c.err)
		}
	}
	if err := ana.Call(ctx, "Carl"); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("calling a revoked contact says %v, want it to say revoked", err)
	}
	if v := ana.CurrentCall(); v.State != "idle" {
		t.Fatalf("refused requests left a call: %+v", v)
	}
}

// TestCallRingsAndLeavesALine: a call Ben declines ends on both sides with
// events, and each conversation gets its line.
func TestCallRingsAndLeavesALine(t *testing.T) {
	ctx := context.Background()
	ana, ben := cachedNode(t, "Ana"), cachedNode(t, "Ben")
	befriend(t, ana, ben)
	delivered(t, ana, "Ben", "hi")
	evs, stop := ben.Subscribe()
	defer stop()
	if err := ana.Call(ctx, "Ben"); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, evs, "Ben's phone to ring", func(e Event) bool { return e.Call != nil && e.Call.State == "ringing" })
	if ev.Call.Contact != "Ana" || ev.Call.Direction != "incoming" {
		t.Fatalf("ringing event %+v, want an incoming call from Ana", ev.Call)
	}
	if err := ana.Call(ctx, "Ben"); !IsBadInput(err) {
		t.Fatalf("a second call while one rings: %v, want bad input", err)
	}
	if err := ben.Decline(ctx, "Ana"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Ana's call to end", func() bool { return ana.CurrentCall().State == "idle" })
	line := func(n *Node, peer, want string) func() bool {
		return func() bool {
			h, err := n.History(ctx, peer, 0)
			if err != nil || len(h) == 0 {
				return false
			}
			last := h[len(h)-1]
			return last.Kind == "call" && last.Text == want
		}
	}
	eventually(t, "Ana's line", line(ana, "Ben", "Ben declined the call"))
	eventually(t, "Ben's line", line(ben, "Ana", "Declined call"))
}

func TestCallLineWords(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	for _, c := range []struct {
		info   call.Info
		want   string
		unread bool
	}{
		{call.Info{Reason: call.ReasonHangup, StartedAt: start, EndedAt: start.Add(192 * time.Second)}, "Call, 3:12", false},
		{call.Info{Reason: call.ReasonLost, StartedAt: start, EndedAt: start.Add(5 * time.Second)}, "Call, 0:05 (connection lost)", false},
		{call.Info{Reason: call.ReasonHangup, StartedAt: start, EndedAt: start.Add(3723 * time.Second)}, "Call, 1:02:03", false},
		{call.Info{Reason: call.ReasonMissed, Incoming: true}, "Missed call", true},
		{call.Info{Reason: call.ReasonNoAnswer}, "No answer", false},
		{call.Info{Reason: call.ReasonOffline}, "Call failed: Ben is offline", false},
		{call.Info{Reason: call.ReasonBusy}, "Ben was in another call", false},
		{call.Info{Reason: call.ReasonDeclined, Incoming: true}, "Declined call", false},
		{call.Info{Reason: call.ReasonFailed}, "Call failed", false},
		{call.Info{Reason: call.ReasonFailed, Incoming: true}, "Missed call", true},
	} {
		got, unread := callLine(c.info, "Ben")
		if got != c.want || unread != c.unread {
			t.Errorf("%s: line %q (unread %v), want %q (unread %v)", c.info.Reason, got, unread, c.want, c.unread)
		}
	}
}
