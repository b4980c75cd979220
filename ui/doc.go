// Package ui is tincan's desktop interface, built with Fyne: the first-run
// window, the main window (contact list and chat), the add-contact, my-card
// and network dialogs, the question whether to reach a contact through a
// relay, the call panel (a call ringing here, the call in progress with its
// timer, mute, level meter and device pickers, and how it ended),
// notifications and the system tray. It is a thin layer over the node's API
// (see Backend).
//
// It must never do network or disk work itself, never call the backend on the
// UI goroutine, and never import fyne.io/fyne/v2/app (the caller creates the
// app, so this package tests headless with fyne.io/fyne/v2/test).
package ui
