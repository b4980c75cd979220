package node

import (
	"errors"
	"fmt"

	"tincan/core/store"
)

// ErrDiskFull means the disk holding the home dir is full, so nothing was saved.
var ErrDiskFull = errors.New("the disk is full")

// plainDiskFull turns a store error caused by a full disk into a sentence a
// user can act on (what was not saved, and where space is needed); any
// other error comes back unchanged.
func (n *Node) plainDiskFull(what string, err error) error {
	if !store.IsDiskFull(err) {
		return err
	}
	n.log.Warn("disk full", "what", what, "err", err)
	return fmt.Errorf("%w: %s was not saved; free some space on the disk that holds %s and try again", ErrDiskFull, what, n.home)
}
