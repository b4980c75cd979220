// Command tincan-bench-ui measures the real main window (run it under
// Xvfb); -measure picks what, one file each:
//
//   - rss (rss.go): memory with a long conversation: it makes a home whose
//     one contact has 100,000 messages, opens that conversation, scrolls up
//     a screen at a time to its first message, and prints the Go heap and
//     the process's resident memory with the first page shown (the
//     baseline) and after scrolling, both after a collection.
//
//   - shot (shot.go): no measure but a picture: a short conversation with
//     emoji in the real window, saved as a PNG (-shot-file) to look at.
//
//   - idle (idle.go): CPU at rest in a 200-message conversation, with the
//     composer focused and then unfocused.
//
// Usage:
//
//	xvfb-run -a -s "-screen 0 1024x768x24" go run ./cmd/tincan-bench-ui [-measure rss,idle] [-messages N]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"tincan/core/identity"
	"tincan/core/node"
	"tincan/core/store"
	"tincan/ui"
)

func main() {
	count := flag.Int("messages", 100000, "messages in the conversation (rss)")
	measure := flag.String("measure", "rss", "what to measure, comma-separated: rss (memory with a long conversation), "+
		"idle (CPU at rest with the composer focused and unfocused)")
	idleFor := flag.Duration("idle-for", 20*time.Second, "how long each idle sample lasts (idle)")
	flag.Parse()
	for _, what := range strings.Split(*measure, ",") {
		var err error
		switch strings.TrimSpace(what) {
		case "rss":
			err = runRSS(*count)
		case "idle":
			err = runIdle(*idleFor)
		case "shot":
			err = runShot(*shotFile)
		default:
			err = fmt.Errorf("unknown measurement %q (rss, idle, shot)", what)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "tincan-bench-ui:", err)
			os.Exit(1)
		}
	}
}

// home makes Ana's home with Ben as a contact and count messages between
// them, and opens Ana's node.
// openWindow shows n in the real window, 920x620, without a tray.
func openWindow(n *node.Node) (fyne.App, *ui.Main) {
	a := app.NewWithID("org.tincan.bench-ui")
	m := ui.Run(a, n, ui.Options{NoTray: true})
	m.Window().Resize(fyne.NewSize(920, 620))
	return a, m
}

func home(dir string, count int) (*node.Node, error) {
	return homeWith(dir, count, func(i int) string {
		return fmt.Sprintf("Message %d: %s", i, strings.Repeat("the quick brown fox ", 1+i%5))
	})
}

// homeWith is home with the messages' texts from body.
func homeWith(dir string, count int, body func(i int) string) (*node.Node, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := func(name string) (node.Options, error) {
		h := filepath.Join(dir, name)
		ks := identity.NewFileKeystore(filepath.Join(h, "keystore"))
		if _, err := os.Stat(h); os.IsNotExist(err) {
			if err := node.Create(h, ks, name); err != nil {
				return node.Options{}, err
			}
		}
		return node.Options{Home: h, Keystore: ks, Logger: quiet, NoPortMap: true,
			Overlay: node.OverlayOptions{Disable: true, NoLAN: true}}, nil
	}
	bo, err := opts("Ben")
	if err != nil {
		return nil, err
	}
	ben, err := node.Open(bo)
	if err != nil {
		return nil, err
	}
	card := ben.Card()
	ben.Close()
	ao, err := opts("Ana")
	if err != nil {
		return nil, err
	}
	ana, err := node.Open(ao)
	if err != nil {
		return nil, err
	}
	_, err = ana.AddContact(context.Background(), "Ben", card, "")
	ana.Close()
	if err != nil {
		return nil, err
	}
	if err := fill(filepath.Join(ao.Home, node.DBFile), count, body); err != nil {
		return nil, err
	}
	return node.Open(ao)
}

// fill stores count messages from Ben, in transactions of 5,000.
func fill(path string, count int, body func(i int) string) error {
	st, err := store.Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	cs, err := st.Contacts(ctx)
	if err != nil || len(cs) != 1 {
		return fmt.Errorf("the bench home should have one contact: %v", err)
	}
	at := time.Now().Add(-time.Duration(count) * time.Minute)
	for i := 0; i < count; {
		err := st.Batch(ctx, func(b *store.Batch) error {
			for j := 0; j < 5000 && i < count; j, i = j+1, i+1 {
				var id store.MessageID
				copy(id[:], fmt.Sprintf("%016d", i))
				if _, _, err := b.SaveIncoming(store.Message{ContactID: cs[0].ID, ID: id, Body: body(i),
					SentAt: at.Add(time.Duration(i) * time.Minute)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// Read: the chat opens at the newest message, not at the first unread.
	return st.MarkRead(ctx, cs[0].ID)
}

// status reads /proc/self/status.
func status() map[string]string {
	out := map[string]string{}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}
