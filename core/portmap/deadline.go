package portmap

import (
	"context"
	"net"
	"time"
)

// deadline is the earlier of now+timeout and ctx's deadline.
func deadline(ctx context.Context, timeout time.Duration) time.Time {
	d := time.Now().Add(timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}

// bind sets c's deadline from ctx and timeout and closes c when ctx ends,
// which cuts its blocking calls short; call the returned stop when done.
func bind(ctx context.Context, c net.Conn, timeout time.Duration) (stop func() bool) {
	_ = c.SetDeadline(deadline(ctx, timeout))
	return context.AfterFunc(ctx, func() { _ = c.Close() })
}
