package overlay_test

import (
	"testing"
	"time"

	"tincan/core/overlay"
	"tincan/core/overlay/memnet"
)

// A flood set-up with real RSA-3072 keys: the receiver opens the envelope,
// another node with a real key tries and fails, and only the receiver answers.
func TestSimFloodWithRealRSAKeys(t *testing.T) {
	t.Parallel()
	keys, err := overlay.RSAKeysForTest()
	if err != nil {
		t.Fatal(err)
	}
	sim := memnet.New(memnet.Options{Seed: 9, Codec: true})
	c := memnet.NewCluster(sim, overlay.Params{})
	if err := c.Grow(40, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	pair := c.RandomLive(3, nil)
	sender, receiver, bystander := pair[0], pair[1], pair[2]
	ru := receiver.User
	ru.Opener = overlay.RSAOpener{Key: keys[0]}
	receiver.Node.SetUser(&ru)
	bu := bystander.User
	bu.Opener = overlay.RSAOpener{Key: keys[1]}
	bystander.Node.SetUser(&bu)

	var res *overlay.ConnectResult
	sender.Node.Connect(overlay.ConnectRequest{SecretID: ru.SecretID, Sealer: overlay.RSASealer{Key: &keys[0].PublicKey},
		Mode: overlay.ModeFlood}, func(r overlay.ConnectResult) { res = &r })
	sim.RunFor(15 * time.Second)
	checkSim(t, c)
	if res == nil || res.Err != nil || res.Via != overlay.ViaFlood || res.GUID != receiver.Peer.GUID {
		t.Fatalf("flood with real keys: %+v", res)
	}
	if st := bystander.Node.Stats(); st.TrialDecrypts != 1 || st.Answered != 0 {
		t.Fatalf("bystander: %+v", st)
	}
	if st := receiver.Node.Stats(); st.TrialDecrypts != 1 || st.Answered != 1 {
		t.Fatalf("receiver: %+v", st)
	}
}
