//go:build !linux

package ui

// newCallNotifier is the plain notification: Fyne's notifications carry no
// buttons on this platform.
func (m *Main) newCallNotifier() callNotifier {
	return plainCallNotifier{ring: m.ringPlain}
}
