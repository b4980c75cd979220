//go:build windows

package backup

import "path/filepath"

// uriPath is path as SQLite's file: URIs want it on Windows: forward
// slashes and a leading slash before the drive (file:///C:/Users/...).
func uriPath(path string) string { return "/" + filepath.ToSlash(path) }
