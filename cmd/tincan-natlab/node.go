//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"tincan/natlab"
)

// daemonPort is where every lab node listens.
const daemonPort = 7448

// node is one `tincan daemon` in the lab and the CLI that drives it.
type node struct {
	bin  string
	site *natlab.Site
	home string
	log  string
	proc *natlab.Proc
	card string

	said  []int16 // the clip its WAV microphone plays in every call
	heard string  // the WAV its speaker writes, anew at every call
}

// startNode runs a daemon for site inside its host namespace; bootstrap ""
// makes it the first node (the entry).
func startNode(lab *natlab.Lab, c config, site *natlab.Site, bootstrap string) (*node, error) {
	bin, dir := c.bin, c.dir
	n := &node{bin: bin, site: site, home: filepath.Join(dir, "home-"+site.Name), log: filepath.Join(dir, site.Name+".log")}
	if err := os.MkdirAll(n.home, 0o700); err != nil {
		return nil, fmt.Errorf("home for %s: %w", site.Name, err)
	}
	args := []string{"daemon", "--home", n.home, "--keystore", "file", "--name", site.Name,
		"--listen", fmt.Sprintf("0.0.0.0:%d", daemonPort), "--log-level", c.logLevel}
	// Every user here has said yes to relays; the entry volunteers as one.
	args = append(args, "--use-relays", "always")
	args = append(args, c.extra...)
	if bootstrap != "" {
		if c.voices != nil {
			v := voiceOf(lab, *c.voices, site)
			n.said, n.heard = v.said, filepath.Join(dir, site.Name+"-heard.wav")
			args = append(args, "--audio", "wav:"+v.path+","+n.heard)
		}
		args = append(args, "--bootstrap", bootstrap)
	} else {
		args = append(args, "--serve-relay")
	}
	p, err := lab.Start(site.Host, n.log, bin, args...)
	if err != nil {
		return nil, err
	}
	n.proc = p
	return n, nil
}

// cli runs one CLI command against the node and decodes its --json answer into out.
func (n *node) cli(ctx context.Context, out any, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	full := append([]string{"--home", n.home, "--keystore", "file"}, args...)
	if out != nil {
		full = append(full, "--json")
	}
	cmd := exec.CommandContext(ctx, n.bin, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: tincan %s: %w: %s", n.site.Name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("%s: tincan %s: %w", n.site.Name, strings.Join(args, " "), err)
	}
	return nil
}

// errDied means a daemon exited while the lab still needed it.
var errDied = errors.New("daemon exited")

// alive reports an error if the daemon has exited.
func (n *node) alive() error {
	select {
	case <-n.proc.Done():
		return fmt.Errorf("%w: %s (%v); log %s", errDied, n.site.Name, n.proc.Err(), n.log)
	default:
		return nil
	}
}

// waitReady waits until the daemon answers on its control socket, then reads its card.
func (n *node) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if err := n.alive(); err != nil {
			return err
		}
		var id struct {
			Card string `json:"card"`
		}
		if last = n.cli(ctx, &id, "id"); last == nil && id.Card != "" {
			n.card = id.Card
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not ready after %v: %v", n.site.Name, timeout, last)
}

// status reads the node's status.
func (n *node) status(ctx context.Context) (statusView, error) {
	var s statusView
	err := n.cli(ctx, &s, "status")
	return s, err
}

// contact returns the node's view of one contact.
func (n *node) contact(ctx context.Context, name string) (contactView, error) {
	var cs []contactView
	if err := n.cli(ctx, &cs, "contacts", "list"); err != nil {
		return contactView{}, err
	}
	for _, c := range cs {
		if c.Name == name {
			return c, nil
		}
	}
	return contactView{}, fmt.Errorf("%s has no contact %s", n.site.Name, name)
}

// call reads the node's current call (`status --json` .call).
func (n *node) call(ctx context.Context) (callView, error) {
	st, err := n.status(ctx)
	if err != nil {
		return callView{}, err
	}
	if st.Call == nil {
		return callView{}, fmt.Errorf("%s: status has no call object", n.site.Name)
	}
	return *st.Call, nil
}

// logSize is the daemon log's length now, to read what comes after.
func (n *node) logSize() int64 {
	fi, err := os.Stat(n.log)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// callLog is the call part's lines of the daemon log from offset on.
func (n *node) callLog(offset int64) []string {
	f, err := os.Open(n.log)
	if err != nil {
		return []string{err.Error()}
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return []string{err.Error()}
	}
	b, err := io.ReadAll(io.LimitReader(f, 4<<20))
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.Contains(line, "part=call") {
			out = append(out, line)
		}
	}
	return out
}
