//go:build !windows

package node

// bindRefused reports a dial whose bind to the listen port was refused;
// SO_REUSEPORT makes that bind succeed off Windows.
func bindRefused(error) bool { return false }
