package store

import (
	"context"
	"fmt"
	"strings"
)

// RenameContact gives contact id a new name (trimmed). It fails with
// ErrInvalidName, ErrDuplicateName or ErrNotFound.
func (s *Store) RenameContact(ctx context.Context, id int64, name string) error {
	name = strings.TrimSpace(name)
	if len(name) == 0 || len(name) > MaxName {
		return fmt.Errorf("rename contact %d: %w", id, ErrInvalidName)
	}
	res, err := s.exec(ctx, `UPDATE contacts SET name = ? WHERE id = ?`, name, id)
	switch {
	case isUnique(err, "contacts.name"):
		return fmt.Errorf("rename contact %d: %w", id, ErrDuplicateName)
	case err != nil:
		return fmt.Errorf("rename contact %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("rename contact %d", id))
}
