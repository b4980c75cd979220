package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTwoMachinesOnOneLANFindEachOther: two real daemons in two network
// namespaces joined by one link (a LAN), started with no bootstrap, entry
// name or address, find each other by LAN beacons and chat by card alone.
func TestTwoMachinesOnOneLANFindEachOther(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root to create network namespaces with `ip netns`; run it as root, as CI does")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatalf("this test needs iproute2's `ip`: %v", err)
	}
	prefix := fmt.Sprintf("tcli%d", os.Getpid())
	nsA, nsB := prefix+"a", prefix+"b"
	cleanup := func() {
		for _, ns := range []string{nsA, nsB} {
			exec.Command("ip", "netns", "del", ns).Run()
		}
	}
	cleanup()
	t.Cleanup(cleanup)
	for _, args := range [][]string{
		{"netns", "add", nsA},
		{"netns", "add", nsB},
		{"link", "add", "lan0", "netns", nsA, "type", "veth", "peer", "name", "lan0", "netns", nsB},
		{"-n", nsA, "addr", "add", "10.78.0.1/24", "dev", "lan0"},
		{"-n", nsB, "addr", "add", "10.78.0.2/24", "dev", "lan0"},
		{"-n", nsA, "link", "set", "lo", "up"},
		{"-n", nsB, "link", "set", "lo", "up"},
		{"-n", nsA, "link", "set", "lan0", "up"},
		{"-n", nsB, "link", "set", "lan0", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	root := t.TempDir()
	start := func(ns, name string) (string, *daemon) {
		home := filepath.Join(root, name)
		d := &daemon{home: home, log: &bytes.Buffer{}}
		// The daemon's own defaults: all interfaces, port 7448, LAN beacons on.
		d.cmd = exec.Command("ip", "netns", "exec", ns, bin, "daemon", "--home", home, "--name", name, "--keystore", "file")
		d.cmd.Stderr = d.log
		if err := d.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.stop(t) })
		return home, d
	}
	homeA, a := start(nsA, "Ana")
	homeB, b := start(nsB, "Ben")
	for _, d := range []*daemon{a, b} {
		deadline := time.Now().Add(90 * time.Second)
		for {
			r := tincan(t, "--home", d.home, "status", "--json")
			if r.code == 0 && strings.Contains(r.stdout, `"joined":true`) {
				break
			}
			if time.Now().After(deadline) {
				d.stop(t) // the log is written until the process ends
				t.Fatalf("%s did not join through the LAN; status %s\nlog:\n%s", d.home, r.stdout, d.log)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	ok(t, "--home", homeA, "contacts", "add", "Ben", strings.TrimSpace(ok(t, "--home", homeB, "id")))
	ok(t, "--home", homeB, "contacts", "add", "Ana", strings.TrimSpace(ok(t, "--home", homeA, "id")))
	ok(t, "--home", homeA, "send", "Ben", "hello across the LAN")
	waitFor(t, "the message crosses the LAN", func() bool {
		return strings.Contains(ok(t, "--home", homeA, "history", "Ben", "--json"), `"state":"delivered"`)
	})
	if out := ok(t, "--home", homeB, "history", "Ana"); !strings.Contains(out, "hello across the LAN") {
		t.Fatalf("Ben's history: %s", out)
	}
	cs := jsonOf[[]map[string]any](t, ok(t, "--home", homeA, "contacts", "list", "--json"))
	if remote, _ := cs[0]["remote"].(string); !strings.HasPrefix(remote, "10.78.0.2:") && cs[0]["online"] == true {
		t.Errorf("Ben should be reached at his LAN address: %v", cs[0])
	}
}
