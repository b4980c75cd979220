//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The lab: one bridge namespace, and per daemon a namespace joined to the
// bridge by a veth pair, with a small tmpfs as its home.
//
//	ns <prefix>-A (eth0 10.99.0.10) ──veth── ns <prefix>-br (br0) ──veth── ns <prefix>-B (eth0 10.99.0.11)

const (
	// lockDir holds <prefix>.pid for every running soak: namespaces whose
	// soak process is gone were left by a crash and are removed at start.
	lockDir = "/run/tincan-soak"
	// daemonPort is where every daemon listens, each on its own address.
	daemonPort = 7448
	// ifName is each daemon namespace's link to the bridge.
	ifName = "eth0"
	// dropTable is the nftables table that cuts a daemon's network.
	dropTable = "soakdrop"
)

// prefixPattern matches every soak's namespaces: "sk", 4 hex digits, "-".
var prefixPattern = regexp.MustCompile(`^(sk[0-9a-f]{4})-`)

// lab owns the namespaces and mounts of one run and removes them on close.
type lab struct {
	prefix     string
	dir        string // homes (tmpfs mount points) and logs
	ownDir     bool
	bridge     string
	namespaces []string
	mounts     []string
}

// nodeNet is where one daemon lives: its namespace, address and home.
type nodeNet struct {
	ns   string
	ip   string
	home string
}

// newLab makes the bridge namespace; dir "" means a temp dir removed on close.
func newLab(ctx context.Context, dir string) (*lab, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("the soak needs root (network namespaces, nftables, tmpfs mounts)")
	}
	for _, tool := range []string{"ip", "nft", "mount", "umount"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("the soak needs %s (apt-get install iproute2 nftables mount): %w", tool, err)
		}
	}
	removeStale(ctx)
	l := &lab{dir: dir}
	if err := os.MkdirAll(lockDir, 0o755); err != nil {
		return nil, fmt.Errorf("soak lock dir: %w", err)
	}
	for range 50 {
		p := "sk" + randomHex(2)
		f, err := os.OpenFile(filepath.Join(lockDir, p+".pid"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			continue
		}
		fmt.Fprintf(f, "%d\n", os.Getpid())
		f.Close()
		l.prefix = p
		break
	}
	if l.prefix == "" {
		return nil, errors.New("no free soak prefix in " + lockDir)
	}
	if l.dir == "" {
		d, err := os.MkdirTemp("", "tincan-soak-"+l.prefix+"-")
		if err != nil {
			l.close()
			return nil, fmt.Errorf("soak dir: %w", err)
		}
		l.dir, l.ownDir = d, true
	} else if err := os.MkdirAll(l.dir, 0o755); err != nil {
		l.close()
		return nil, fmt.Errorf("soak dir: %w", err)
	}
	l.bridge = l.prefix + "-br"
	if err := l.addNamespace(ctx, l.bridge); err != nil {
		l.close()
		return nil, err
	}
	err := runAll(ctx, [][]string{
		{"ip", "-n", l.bridge, "link", "add", "br0", "type", "bridge"},
		{"ip", "-n", l.bridge, "link", "set", "br0", "up"},
	})
	if err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

// addNode makes daemon i's namespace, its link to the bridge and its tmpfs home.
func (l *lab) addNode(ctx context.Context, i int, name, tmpfsSize string) (nodeNet, error) {
	n := nodeNet{ns: l.prefix + "-" + name, ip: fmt.Sprintf("10.99.0.%d", 10+i), home: filepath.Join(l.dir, "home-"+name)}
	if err := l.addNamespace(ctx, n.ns); err != nil {
		return n, err
	}
	port := fmt.Sprintf("p%d", i)
	err := runAll(ctx, [][]string{
		{"ip", "link", "add", port, "netns", l.bridge, "type", "veth", "peer", "name", ifName, "netns", n.ns},
		{"ip", "-n", l.bridge, "link", "set", port, "master", "br0", "up"},
		{"ip", "-n", n.ns, "addr", "add", n.ip + "/24", "dev", ifName},
		{"ip", "-n", n.ns, "link", "set", ifName, "up"},
	})
	if err != nil {
		return n, err
	}
	if err := os.MkdirAll(n.home, 0o700); err != nil {
		return n, fmt.Errorf("home of %s: %w", name, err)
	}
	if err := runCmd(ctx, "mount", "-t", "tmpfs", "-o", "size="+tmpfsSize+",mode=0700", "tmpfs", n.home); err != nil {
		return n, err
	}
	l.mounts = append(l.mounts, n.home)
	return n, nil
}

// dropNet cuts (on) or restores (off) every packet of ns on its bridge link.
func dropNet(ctx context.Context, ns string, on bool) error {
	if !on {
		return runCmd(ctx, "ip", "netns", "exec", ns, "nft", "delete", "table", "inet", dropTable)
	}
	rules := "table inet " + dropTable + " {\n" +
		"  chain in {\n    type filter hook input priority -10; policy accept;\n    iifname \"" + ifName + "\" drop\n  }\n" +
		"  chain out {\n    type filter hook output priority -10; policy accept;\n    oifname \"" + ifName + "\" drop\n  }\n}\n"
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft drop in %s: %w: %s", ns, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (l *lab) addNamespace(ctx context.Context, ns string) error {
	if err := runCmd(ctx, "ip", "netns", "add", ns); err != nil {
		return err
	}
	l.namespaces = append(l.namespaces, ns)
	return runCmd(ctx, "ip", "-n", ns, "link", "set", "lo", "up")
}

// close unmounts the homes and deletes the namespaces (the daemons must be
// stopped first), then the dir if it was the lab's own.
func (l *lab) close() error {
	ctx := context.Background()
	var errs []error
	for i := len(l.mounts) - 1; i >= 0; i-- {
		errs = append(errs, unmount(ctx, l.mounts[i]))
	}
	for i := len(l.namespaces) - 1; i >= 0; i-- {
		errs = append(errs, runCmd(ctx, "ip", "netns", "delete", l.namespaces[i]))
	}
	if l.ownDir {
		errs = append(errs, os.RemoveAll(l.dir))
	}
	if l.prefix != "" {
		errs = append(errs, os.Remove(filepath.Join(lockDir, l.prefix+".pid")))
	}
	return errors.Join(errs...)
}

// unmount unmounts a home, lazily if something still holds it.
func unmount(ctx context.Context, path string) error {
	if err := runCmd(ctx, "umount", path); err != nil {
		return runCmd(ctx, "umount", "-l", path)
	}
	return nil
}

// removeStale deletes the namespaces and tmpfs homes of soaks whose process
// is gone (a crash or SIGKILL left them).
func removeStale(ctx context.Context) {
	ents, err := os.ReadDir("/run/netns")
	if err != nil {
		return
	}
	for _, e := range ents {
		m := prefixPattern.FindStringSubmatch(e.Name())
		if m == nil || soakAlive(m[1]) {
			continue
		}
		_ = runCmd(ctx, "ip", "netns", "delete", e.Name())
		_ = os.Remove(filepath.Join(lockDir, m[1]+".pid"))
	}
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return
	}
	for line := range strings.SplitSeq(string(mounts), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[2] != "tmpfs" {
			continue
		}
		m := regexp.MustCompile(`/tincan-soak-(sk[0-9a-f]{4})-`).FindStringSubmatch(f[1])
		if m != nil && !soakAlive(m[1]) {
			_ = unmount(ctx, f[1])
		}
	}
}

// soakAlive reports whether the soak that owns prefix still runs.
func soakAlive(prefix string) bool {
	b, err := os.ReadFile(filepath.Join(lockDir, prefix+".pid"))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// runCmd executes a command; its error carries the command's output.
func runCmd(ctx context.Context, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

func runAll(ctx context.Context, cmds [][]string) error {
	for _, c := range cmds {
		if err := runCmd(ctx, c[0], c[1:]...); err != nil {
			return err
		}
	}
	return nil
}
