//go:build !windows

package store

import "os"

// uriPath is path as SQLite's file: URIs want it: unchanged off Windows.
func uriPath(path string) string { return path }

// ownerOnly makes the file at path readable and writable by its owner alone.
func ownerOnly(path string) error { return os.Chmod(path, 0o600) }
