package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"tincan/ui"
)

// heapProfile names files for heap profiles taken with each memory row.
var heapProfile = flag.String("heap-profile", "", "write a heap profile with each memory row to PREFIX.N (rss); "+
	"compare two with go tool pprof -base")

// runRSS makes a home with count messages in one conversation, opens it in
// the real window and scrolls up to its first message, printing memory
// with the first page shown and after.
func runRSS(count int) error {
	dir, err := os.MkdirTemp("", "tincan-bench-ui")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	n, err := home(dir, count)
	if err != nil {
		return err
	}
	defer n.Close()
	fmt.Printf("home with %d messages in one conversation made in %.1f s\n", count, time.Since(start).Seconds())
	before := status()
	fmt.Printf("before the window: VmHWM %s, VmRSS %s\n", before["VmHWM"], before["VmRSS"])

	a, m := openWindow(n)
	errc := make(chan error, 1)
	go func() {
		errc <- scrollAll(m, count)
		fyne.Do(a.Quit)
	}()
	a.Run()
	m.Stop()
	return <-errc
}

// memory is the Go heap and the process's resident memory after a
// collection that hands what it frees back to the system.
type memory struct {
	live, inuse uint64 // Go heap: bytes in live objects, bytes in spans in use
	rss         uint64 // VmRSS, bytes
}

var profiles int

func measure() memory {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if *heapProfile != "" {
		profiles++
		if f, err := os.Create(fmt.Sprintf("%s.%d", *heapProfile, profiles)); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	return memory{live: ms.HeapAlloc, inuse: ms.HeapInuse, rss: kB(status()["VmRSS"])}
}

func (m memory) String() string {
	return fmt.Sprintf("Go heap live %.1f MiB (in use %.1f MiB), VmRSS %.1f MiB", mib(m.live), mib(m.inuse), mib(m.rss))
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// kB reads "123 kB" as bytes.
func kB(s string) uint64 {
	v, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(s, "kB")), 10, 64)
	return v << 10
}

// scrollAll opens Ben's chat, takes the baseline once its first page
// shows, then scrolls up a screen at a time (pages load as the view nears
// the top of what is loaded) until the first message shows, and takes
// the same measure again. Both are taken one second after the last
// scroll, with the window open on the conversation.
func scrollAll(m *ui.Main, count int) error {
	time.Sleep(time.Second) // the window opens and the contact list loads
	fyne.DoAndWait(func() { m.OpenChat("Ben") })
	time.Sleep(time.Second) // the first page loads and is drawn
	base := measure()
	fmt.Printf("first page shown (the baseline): %v\n", base)
	start := time.Now()
	deadline := start.Add(10 * time.Minute)
	maxHeld, maxBuilt, steps, shown := 0, 0, 0, 0
	for {
		var held, built int
		var top bool
		fyne.DoAndWait(func() { held, built, top = m.ScrollChatScreenUp() })
		maxHeld, maxBuilt, steps = max(maxHeld, held), max(maxBuilt, built), steps+1
		if steps%2000 == 0 {
			shown++
			fmt.Printf("  after %d screens: %v\n", steps, measure())
		}
		if top {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the first message did not show within 10 minutes (%d steps)", steps)
		}
		time.Sleep(5 * time.Millisecond) // a frame is drawn; a page loads off the UI goroutine
	}
	fmt.Printf("scrolled to the first message in %.1f s (%d screens); at most %d messages held and %d rows built at once\n",
		time.Since(start).Seconds(), steps, maxHeld, maxBuilt)
	time.Sleep(time.Second)
	after := measure()
	fmt.Printf("after scrolling %d messages to the top: %v; VmHWM %s\n", count, after, status()["VmHWM"])
	fmt.Printf("growth over the first page: Go heap live %+.1f MiB, VmRSS %+.1f MiB\n",
		mib(after.live)-mib(base.live), mib(after.rss)-mib(base.rss))
	fmt.Println("  (VmRSS holds the texture of every line of text drawn in the last 10 s, which Fyne keeps " +
		"that long (tincan's setting, ui/fynecache.go; Fyne's own is a minute), and the GL driver's memory)")
	return nil
}
