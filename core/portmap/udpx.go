package portmap

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"
)

// maxUDPAnswer is the largest datagram a NAT-PMP or PCP server sends
// (RFC 6887, section 7).
const maxUDPAnswer = 1100

// udpRetry is how an exchange resends: first after first, then at doubling
// intervals, each stretched or shrunk at random by up to jitter (a fraction).
type udpRetry struct {
	first  time.Duration
	jitter float64
}

func (r udpRetry) wait(n int) time.Duration {
	w := r.first << min(n, 16)
	if r.jitter > 0 {
		w = time.Duration(float64(w) * (1 + r.jitter*(2*rand.Float64()-1)))
	}
	return w
}

// exchangeUDP sends req to dst from a socket of its own and resends it as r
// says until accept takes an answer (done), the timeout passes or ctx ends.
// accept sees each datagram of at most maxUDPAnswer bytes from dst; it
// returns done false for one that answers something else, and otherwise the
// exchange's result.
func exchangeUDP(ctx context.Context, dst netip.AddrPort, timeout time.Duration, r udpRetry, req []byte,
	accept func([]byte) (done bool, err error)) error {
	conn, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(dst))
	if err != nil {
		return err
	}
	defer conn.Close()
	end := deadline(ctx, timeout)
	stop := bind(ctx, conn, timeout)
	defer stop()
	buf := make([]byte, maxUDPAnswer+1)
	for try := 0; ; try++ {
		if _, err := conn.Write(req); err != nil {
			return ctxErr(ctx, err)
		}
		_ = conn.SetReadDeadline(minTime(time.Now().Add(r.wait(try)), end))
		for {
			n, err := conn.Read(buf)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && time.Now().Before(end) && ctx.Err() == nil {
				break // resend
			}
			if err != nil {
				return ctxErr(ctx, err)
			}
			if n > maxUDPAnswer {
				continue
			}
			if done, err := accept(buf[:n]); done {
				return err
			}
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
