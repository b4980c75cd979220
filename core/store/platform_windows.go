//go:build windows

package store

import "path/filepath"

// uriPath is path as SQLite's file: URIs want it on Windows: forward
// slashes and a slash before the drive (file:///C:/Users/...).
func uriPath(path string) string { return "/" + filepath.ToSlash(path) }

// ownerOnly does nothing on Windows: mode bits only set the read-only
// attribute there, and the -wal and -shm files, open in SQLite, cannot have
// even that changed under Wine ("Sharing violation"). The home under the
// user's profile is private by its ACL.
func ownerOnly(string) error { return nil }
