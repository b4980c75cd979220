package discovery

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// lanHelperEnv carries a lanHelperSpec (JSON) to the test binary run inside a namespace.
const lanHelperEnv = "TINCAN_LAN_HELPER"

// lanHelperSpec tells TestLANHelperProcess which beacons to run and for how long.
type lanHelperSpec struct {
	Beacons        []lanHelperBeacon `json:"beacons"`
	Run            time.Duration     `json:"run"`
	Interval       time.Duration     `json:"interval"`
	FailInterfaces int               `json:"fail_interfaces"` // each beacon's first N interface listings fail
}

// lanHelperBeacon is one LANBeacon in a helper process.
type lanHelperBeacon struct {
	GUID      string `json:"guid"` // hex
	Port      uint16 `json:"port"`
	GroupPort uint16 `json:"group_port"`
	Mode      string `json:"mode"` // "multicast" or "broadcast" hides the other ability from it; "" uses both
}

// interfaces lists the interfaces with the flags b.Mode hides cleared, after
// failing the first fails times.
func (b lanHelperBeacon) interfaces(fails int) func() ([]net.Interface, error) {
	var mu sync.Mutex
	return func() ([]net.Interface, error) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			return nil, errors.New("injected: interfaces not ready")
		}
		ifis, err := net.Interfaces()
		for i := range ifis {
			switch b.Mode {
			case "multicast":
				ifis[i].Flags &^= net.FlagBroadcast
			case "broadcast":
				ifis[i].Flags &^= net.FlagMulticast
			}
		}
		return ifis, err
	}
}

// TestLANHelperProcess is not a test on its own: TestLANBeaconNamespaces runs
// the test binary inside a network namespace with lanHelperEnv set, and this
// runs the beacons it names, printing what they found. Without the variable
// it has nothing to do.
func TestLANHelperProcess(t *testing.T) {
	raw := os.Getenv(lanHelperEnv)
	if raw == "" {
		return
	}
	var spec lanHelperSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		t.Fatalf("helper spec %q: %v", raw, err)
	}
	var mu sync.Mutex
	var lines []string
	ctx, cancel := context.WithTimeout(context.Background(), spec.Run)
	defer cancel()
	var wg sync.WaitGroup
	for _, hb := range spec.Beacons {
		var guid [20]byte
		if n, err := hex.Decode(guid[:], []byte(hb.GUID)); err != nil || n != 20 {
			t.Fatalf("helper GUID %q: %v", hb.GUID, err)
		}
		self := hb.GUID
		group := netip.AddrPortFrom(DefaultLANGroup.Addr(), hb.GroupPort)
		b, err := NewLANBeacon(LANConfig{GUID: guid, Port: hb.Port, Group: group, Interval: spec.Interval,
			Interfaces: hb.interfaces(spec.FailInterfaces),
			Logger:     slog.New(slog.NewTextHandler(os.Stderr, nil)).With("node", self),
			Found: func(g [20]byte, addr netip.AddrPort) {
				mu.Lock()
				lines = append(lines, fmt.Sprintf("LANFOUND %s %x %s", self, g, addr))
				mu.Unlock()
			}})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			err := b.Run(ctx)
			mu.Lock()
			lines = append(lines, fmt.Sprintf("LANDONE %s %v", self, err))
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, l := range lines {
		fmt.Println(l)
	}
}

// TestLANBeaconNamespaces runs beacons in two network namespaces joined by a
// veth pair, in three groups (multicast and broadcast, multicast only,
// broadcast only) of two beacons sharing the port in the first namespace and
// one in the second. Every node must find every other of its group exactly
// once at its address and announced port, never itself, and a failing
// interface listing must be logged once and its recovery once.
func TestLANBeaconNamespaces(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces with `ip netns`; run it as root, as CI does")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatalf("this test needs the iproute2 `ip` command to create network namespaces: %v", err)
	}
	prefix := fmt.Sprintf("tlan%d", os.Getpid())
	nsA, nsB := prefix+"a", prefix+"b"
	deleteNamespaces(t, prefix)
	t.Cleanup(func() { deleteNamespaces(t, prefix) })
	for _, args := range [][]string{
		{"netns", "add", nsA},
		{"netns", "add", nsB},
		{"link", "add", "veth0", "netns", nsA, "type", "veth", "peer", "name", "veth0", "netns", nsB},
		{"-n", nsA, "addr", "add", "10.77.0.1/24", "dev", "veth0"},
		{"-n", nsB, "addr", "add", "10.77.0.2/24", "dev", "veth0"},
		{"-n", nsA, "link", "set", "lo", "up"},
		{"-n", nsB, "link", "set", "lo", "up"},
		{"-n", nsA, "link", "set", "veth0", "up"},
		{"-n", nsB, "link", "set", "veth0", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	// Three groups on three ports, run side by side: each hears only its own.
	// Two beacons share the port in A; the single-ability groups check that
	// multicast and broadcast each work alone.
	type node struct {
		beacon lanHelperBeacon
		ip     string
	}
	var nodes []node
	var specA, specB lanHelperSpec
	for gi, mode := range []string{"", "multicast", "broadcast"} {
		groupPort := uint16(7449 + gi)
		for j, ip := range []string{"10.77.0.1", "10.77.0.1", "10.77.0.2"} {
			hb := lanHelperBeacon{GUID: strings.Repeat(fmt.Sprintf("%x%d", 0xa+gi, j), 20),
				Port: uint16(7000 + 10*gi + j), GroupPort: groupPort, Mode: mode}
			nodes = append(nodes, node{hb, ip})
			if ip == "10.77.0.1" {
				specA.Beacons = append(specA.Beacons, hb)
			} else {
				specB.Beacons = append(specB.Beacons, hb)
			}
		}
	}
	specA.Run, specA.Interval = 2500*time.Millisecond, 200*time.Millisecond
	specB.Run, specB.Interval, specB.FailInterfaces = 2500*time.Millisecond, 200*time.Millisecond, 2

	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Second)
	defer cancel()
	type result struct {
		stdout, stderr string
		err            error
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i, job := range []struct {
		ns   string
		spec lanHelperSpec
	}{{nsA, specA}, {nsB, specB}} {
		raw, err := json.Marshal(job.spec)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, "ip", "netns", "exec", job.ns, os.Args[0],
				"-test.run=^TestLANHelperProcess$", "-test.count=1", "-test.timeout=20s")
			cmd.Env = append(os.Environ(), lanHelperEnv+"="+string(raw))
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			results[i] = result{out.String(), errOut.String(), err}
		})
	}
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("helper %d: %v\nstdout:\n%s\nstderr:\n%s", i, r.err, r.stdout, r.stderr)
		}
	}

	got := append(helperLines(results[0].stdout), helperLines(results[1].stdout)...)
	sort.Strings(got)
	var want []string
	for _, self := range nodes {
		want = append(want, "LANDONE "+self.beacon.GUID+" <nil>")
		for _, other := range nodes {
			if other != self && other.beacon.GroupPort == self.beacon.GroupPort {
				want = append(want, fmt.Sprintf("LANFOUND %s %s %s:%d", self.beacon.GUID, other.beacon.GUID, other.ip, other.beacon.Port))
			}
		}
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("helpers reported\n%s\nwant\n%s\nstderr A:\n%s\nstderr B:\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"), results[0].stderr, results[1].stderr)
	}
	logB := results[1].stderr
	for _, hb := range specB.Beacons {
		if n := strings.Count(logB, `msg="LAN discovery failed, retrying every interval" node=`+hb.GUID+" op=interfaces"); n != 1 {
			t.Fatalf("B logged the interface failure of %s %d times, want once:\n%s", hb.GUID, n, logB)
		}
		if n := strings.Count(logB, `msg="LAN discovery recovered" node=`+hb.GUID+" op=interfaces"); n != 1 {
			t.Fatalf("B logged the interface recovery of %s %d times, want once:\n%s", hb.GUID, n, logB)
		}
	}
	if strings.Contains(results[0].stderr, "LAN discovery failed") {
		t.Fatalf("A logged failures:\n%s", results[0].stderr)
	}
}

// helperLines returns the LANFOUND and LANDONE lines of a helper's output.
func helperLines(stdout string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "LANFOUND ") || strings.HasPrefix(l, "LANDONE ") {
			out = append(out, l)
		}
	}
	return out
}

// deleteNamespaces deletes the namespaces this test names with prefix (prefix
// plus one letter), left over or not; other runs' namespaces are not touched.
func deleteNamespaces(t *testing.T, prefix string) {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Errorf("ip netns list: %v", err)
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		role, ok := strings.CutPrefix(name, prefix)
		if !ok || len(role) != 1 || role[0] < 'a' || role[0] > 'z' {
			continue
		}
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v\n%s", name, err, out)
		}
	}
}
