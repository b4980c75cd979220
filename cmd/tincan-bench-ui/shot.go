package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"time"

	"fyne.io/fyne/v2"
)

// shotFile is where the shot measure saves its picture.
var (
	shotFile = flag.String("shot-file", "build/chat-emoji-real.png", "where -measure shot saves the window (shot)")
	shotHold = flag.Duration("shot-hold", 0, "how long to keep the window open after the picture, for a screen grab "+
		"from outside (e.g. ImageMagick's import -window root) where the driver reads back a blank frame (shot)")
)

// shotTexts are the messages of the shot's conversation.
var shotTexts = []string{
	"It did 🎉",
	"Thanks 👍🏽 see you at 8 🕗",
	"The whole family 👨‍👩‍👧 is coming, flags out 🇫🇷🇩🇪",
	"❤️ 😀 plain text after: done.",
}

// runShot opens a conversation with emoji in the real window and saves
// what the window shows to path.
func runShot(path string) error {
	dir, err := os.MkdirTemp("", "tincan-bench-shot")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	n, err := homeWith(dir, len(shotTexts), func(i int) string { return shotTexts[i] })
	if err != nil {
		return err
	}
	defer n.Close()
	a, m := openWindow(n)
	var img image.Image
	go func() {
		time.Sleep(time.Second) // the window opens and the contact list loads
		fyne.DoAndWait(func() { m.OpenChat("Ben") })
		time.Sleep(1500 * time.Millisecond) // the history loads and is drawn
		fyne.DoAndWait(func() { img = m.Window().Canvas().Capture() })
		fmt.Println("the window shows the conversation")
		time.Sleep(*shotHold)
		fyne.Do(a.Quit)
	}()
	a.Run()
	m.Stop()
	if img == nil {
		return fmt.Errorf("the window gave no picture")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	fmt.Printf("saved the window with a conversation with emoji as %s\n", path)
	return f.Close()
}
