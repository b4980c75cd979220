package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

const (
	helperDBEnv = "TINCAN_STORE_HELPER_DB"
	helperN     = 20
)

// TestHelperWriter is the child of TestCommittedSurvivesKill: it enqueues
// helperN messages, says "ok" once they are committed, and exits without
// closing the store. Run normally (no env var) it does nothing.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv(helperDBEnv)
	if path == "" {
		return
	}
	s, err := Open(path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	c, err := s.AddContact(ctx, newContact("alice"))
	if err != nil {
		fmt.Println("add:", err)
		os.Exit(2)
	}
	for i := 0; i < helperN; i++ {
		if _, err := s.Enqueue(ctx, Message{ContactID: c.ID, Body: strconv.Itoa(i)}); err != nil {
			fmt.Println("enqueue:", err)
			os.Exit(2)
		}
	}
	fmt.Println("ok")
	os.Exit(1) // no Close, no checkpoint
}

func TestCommittedSurvivesKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tincan.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperDBEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sawOK := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if sc.Text() == "ok" {
			sawOK = true
		} else {
			t.Logf("child: %s", sc.Text())
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("child ended with %v, want exit status 1", err)
	}
	if !sawOK {
		t.Fatal(`child did not print "ok"`)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("child left no WAL to recover: %v", err)
	}

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.ContactByName(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Outbox(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != helperN {
		t.Fatalf("%d messages survived, want %d", len(out), helperN)
	}
	for i, m := range out {
		if m.Body != strconv.Itoa(i) || m.State != Queued {
			t.Errorf("message %d: %q %v", i, m.Body, m.State)
		}
	}
}
