// Package autostart turns starting tincan at the user's login on and off:
// an XDG autostart entry ($XDG_CONFIG_HOME/autostart/tincan.desktop) on
// Linux and the BSDs, a value under the current user's Run key on Windows,
// a LaunchAgent (~/Library/LaunchAgents) on macOS.
//
// It must never touch another program's entry, write outside the current
// user's own settings (no system-wide autostart, no HKLM), or start
// anything itself: it only records what the desktop starts at login.
package autostart
