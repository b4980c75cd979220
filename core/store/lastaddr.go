package store

import (
	"context"
	"fmt"
	"time"
)

// SetLastAddr records that a dial of ours reached the contact directly at
// addr at time at. The user-given address (Addr) is left as it is.
func (s *Store) SetLastAddr(ctx context.Context, id int64, addr string, at time.Time) error {
	if len(addr) > maxAddr {
		return fmt.Errorf("set last address of contact %d: longer than %d bytes", id, maxAddr)
	}
	res, err := s.exec(ctx, `UPDATE contacts SET last_addr = ?, last_addr_at = ? WHERE id = ?`, addr, toNanos(at), id)
	if err != nil {
		return fmt.Errorf("set last address of contact %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("set last address of contact %d", id))
}
