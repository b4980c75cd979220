//go:build !linux

package ui

// newMessageNotifier is Fyne's notification on this platform.
func (m *Main) newMessageNotifier() messageNotifier { return plainNotifier{app: m.app} }
