package link

import (
	"crypto/ed25519"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"tincan/core/overlay"
)

// TestRelaysListsOutboundRelayPeers checks that Relays lists the peers this
// node dialed that announced the flag, at the address dialed, and neither
// peers without the flag nor peers that dialed in.
func TestRelaysListsOutboundRelayPeers(t *testing.T) {
	a, relay, plain := startNode(t, nodeOpts{}), startNode(t, nodeOpts{}), startNode(t, nodeOpts{})
	a.net.SetServesRelay(true) // a serves too, but reaches b only inbound
	relay.net.SetServesRelay(true)
	if !relay.net.ServesRelay() || plain.net.ServesRelay() {
		t.Fatalf("ServesRelay: relay %v, plain %v", relay.net.ServesRelay(), plain.net.ServesRelay())
	}
	a.net.Send(relay.peer(), &overlay.Ping{ID: 1})
	a.net.Send(plain.peer(), &overlay.Ping{ID: 2})
	waitFor(t, 5*time.Second, "both pings", func() bool {
		return len(relay.rec.messages()) == 1 && len(plain.rec.messages()) == 1
	})

	if got := a.net.Relays(); !slices.Equal(got, []overlay.Peer{relay.peer()}) {
		t.Errorf("a's relays %v, want [%v]", got, relay.peer())
	}
	// relay's only link is inbound from a, which serves relays: the flag
	// arrived, but an inbound link does not make a relay.
	if got := relay.net.Relays(); len(got) != 0 {
		t.Errorf("relay's relays %v, want none (its link to a is inbound)", got)
	}
	if ls := relay.net.Links(); len(ls) != 1 || !ls[0].Relay || !ls[0].Inbound {
		t.Errorf("relay's links %+v, want one inbound from a relay-serving peer", ls)
	}
	if ls := plain.net.Links(); len(ls) != 1 || !ls[0].Relay {
		t.Errorf("plain's links %+v, want one from a relay-serving peer", ls)
	}
	for _, l := range a.net.Links() {
		if l.Relay != (l.GUID == relay.net.GUID()) {
			t.Errorf("a's link to %s: Relay %v", l.GUID.Short(), l.Relay)
		}
	}
}

func TestServesRelayFromConfig(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(Config{Key: key, Logger: quietLogger(), ServesRelay: true})
	if err != nil {
		t.Fatal(err)
	}
	if !n.ServesRelay() {
		t.Fatal("Config.ServesRelay not taken")
	}
	n.SetServesRelay(false)
	if n.ServesRelay() {
		t.Fatal("SetServesRelay(false) not taken")
	}
}
