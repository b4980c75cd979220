//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// tincan.exe is linked as a GUI program (-H windowsgui), so Windows gives
// it no console: typed into cmd.exe or PowerShell, `tincan --version` or
// `tincan send ...` would print nothing. For those command lines, when a
// standard handle is not already set (a redirect or a pipe sets it), it
// attaches to the console of the shell that started it and uses that. The
// desktop app never attaches: closing that console would end it.
func init() {
	cmd, rest := splitCommand(os.Args[1:])
	if (cmd == "" || cmd == "gui") && !hasVersionFlag(rest) {
		return
	}
	attachParentConsole()
}

// attachParentConsole points each unset standard handle at the parent's
// console, if the parent has one.
func attachParentConsole() {
	unset := func(h uint32) bool {
		v, err := windows.GetStdHandle(h)
		return err != nil || v == 0 || v == windows.InvalidHandle
	}
	in, out, errOut := unset(windows.STD_INPUT_HANDLE), unset(windows.STD_OUTPUT_HANDLE), unset(windows.STD_ERROR_HANDLE)
	if !in && !out && !errOut {
		return
	}
	attach := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
	const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
	if r, _, _ := attach.Call(attachParentProcess & 0xffffffff); r == 0 {
		return // started from Explorer, at login, or by a program without a console
	}
	if out || errOut {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			// The handles too, so that a panic's trace reaches the console.
			if out {
				os.Stdout = f
				windows.SetStdHandle(windows.STD_OUTPUT_HANDLE, windows.Handle(f.Fd()))
			}
			if errOut {
				os.Stderr = f
				windows.SetStdHandle(windows.STD_ERROR_HANDLE, windows.Handle(f.Fd()))
			}
		}
	}
	if in {
		if f, err := os.OpenFile("CONIN$", os.O_RDWR, 0); err == nil {
			os.Stdin = f
			windows.SetStdHandle(windows.STD_INPUT_HANDLE, windows.Handle(f.Fd()))
		}
	}
}
