//go:build !windows

package backup

// uriPath is path as SQLite's file: URIs want it: unchanged off Windows.
func uriPath(path string) string { return path }
