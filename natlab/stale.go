//go:build linux

package natlab

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// lockDir holds one lock file per running lab, held (flock) while it runs:
// a lab's namespaces whose lock is not held were left by a crashed run.
const lockDir = "/run/natlab"

// prefixPattern matches the namespaces of any lab run: "tl", 4 hex digits, "-".
var prefixPattern = regexp.MustCompile(`^(tl[0-9a-f]{4})-`)

func lockPath(prefix string) string { return filepath.Join(lockDir, prefix+".lock") }

// claimPrefix picks an unused run prefix and holds its lock file.
func claimPrefix() (string, *os.File, error) {
	if err := os.MkdirAll(lockDir, 0o755); err != nil {
		return "", nil, fmt.Errorf("natlab lock dir: %w", err)
	}
	existing, err := labNamespaces()
	if err != nil {
		return "", nil, err
	}
	for range 50 {
		p := "tl" + randomHex(2)
		if len(existing[p]) > 0 {
			continue
		}
		f, err := os.OpenFile(lockPath(p), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, fmt.Errorf("natlab lock %s: %w", p, err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			return "", nil, fmt.Errorf("natlab lock %s: %w", p, err)
		}
		fmt.Fprintf(f, "%d\n", os.Getpid())
		return p, f, nil
	}
	return "", nil, errors.New("natlab: no free run prefix")
}

// releasePrefix removes and unlocks a run's lock file.
func releasePrefix(prefix string, f *os.File) error {
	if f == nil {
		return nil
	}
	err := os.Remove(lockPath(prefix))
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return errors.Join(err, f.Close())
}

// labNamespaces lists the namespaces that look like a lab's, by run prefix.
func labNamespaces() (map[string][]string, error) {
	entries, err := os.ReadDir(netnsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list namespaces: %w", err)
	}
	out := map[string][]string{}
	for _, e := range entries {
		if m := prefixPattern.FindStringSubmatch(e.Name()); m != nil {
			out[m[1]] = append(out[m[1]], e.Name())
		}
	}
	return out, nil
}

// NamespacesWithPrefix lists the namespaces whose names start with prefix and "-".
func NamespacesWithPrefix(prefix string) ([]string, error) {
	all, err := labNamespaces()
	if err != nil {
		return nil, err
	}
	ns := all[prefix]
	sort.Strings(ns)
	return ns, nil
}

// CleanStale removes the namespaces (and anything still running in them) of
// lab runs whose lock is no longer held: runs that crashed or were killed.
// Labs that are running are left alone.
func CleanStale(ctx context.Context, log *slog.Logger) error {
	all, err := labNamespaces()
	if err != nil {
		return err
	}
	var errs []error
	for prefix, names := range all {
		f, err := os.OpenFile(lockPath(prefix), os.O_RDWR, 0)
		if err == nil {
			if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
				f.Close()
				continue // a live run holds it
			}
		}
		log.Info("removing namespaces of a crashed lab run", "prefix", prefix, "namespaces", len(names))
		for _, ns := range names {
			errs = append(errs, deleteNamespace(ctx, ns))
		}
		if f != nil {
			errs = append(errs, releasePrefix(prefix, f))
		}
	}
	return errors.Join(errs...)
}

// deleteNamespace kills whatever still runs in ns (the lab's own processes)
// and deletes it; a namespace that is already gone is no error.
func deleteNamespace(ctx context.Context, ns string) error {
	if _, err := os.Stat(filepath.Join(netnsDir, ns)); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	out, err := output(ctx, "ip", "netns", "pids", ns)
	if err == nil {
		var pids []int
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 1 && pid != os.Getpid() {
				pids = append(pids, pid)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		waitGone(pids, 3*time.Second)
	}
	if err := ip(ctx, "netns", "del", ns); err != nil {
		if _, serr := os.Stat(filepath.Join(netnsDir, ns)); errors.Is(serr, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("delete namespace %s: %w", ns, err)
	}
	return nil
}

// waitGone waits until none of pids exists any more, or for at most d.
func waitGone(pids []int, d time.Duration) {
	deadline := time.Now().Add(d)
	for _, pid := range pids {
		for time.Now().Before(deadline) {
			if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
