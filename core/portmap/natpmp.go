package portmap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// natpmpFirstWait is the first retransmission interval; it doubles (RFC 6886).
const natpmpFirstWait = 250 * time.Millisecond

// natpmpClient asks one gateway by NAT-PMP.
type natpmpClient struct {
	gw      netip.Addr
	self    netip.Addr
	timeout time.Duration
}

func newNATPMP(gw netip.Addr, timeout time.Duration) *natpmpClient {
	return &natpmpClient{gw: gw, timeout: timeout}
}

func (c *natpmpClient) method() string    { return MethodNATPMP }
func (c *natpmpClient) local() netip.Addr { return c.self }

func (c *natpmpClient) external(ctx context.Context) (netip.Addr, error) {
	self, err := localAddrTo(c.gw) // the router maps for the address we ask from
	if err != nil {
		return netip.Addr{}, fmt.Errorf("NAT-PMP: %w", err)
	}
	c.self = self
	a, err := c.exchange(ctx, natpmpExternalRequest(), natpmpOpExternal, 0)
	if err != nil {
		return netip.Addr{}, err
	}
	return a.External, nil
}

func (c *natpmpClient) add(ctx context.Context, proto string, internal, want uint16, lifetime time.Duration) (uint16, time.Duration, error) {
	secs := uint32(min(max(lifetime.Seconds(), 1), 1<<31))
	op := natpmpOp(proto)
	a, err := c.exchange(ctx, natpmpMapRequest(op, internal, want, secs), op, internal)
	if err != nil {
		return 0, 0, err
	}
	if a.Mapped == 0 || a.Lifetime == 0 {
		return 0, 0, fmt.Errorf("NAT-PMP map %s %d: %w: port %d for %ds", proto, internal, errNATPMP, a.Mapped, a.Lifetime)
	}
	return a.Mapped, time.Duration(a.Lifetime) * time.Second, nil
}

func (c *natpmpClient) remove(ctx context.Context, proto string, internal, _ uint16) error {
	op := natpmpOp(proto)
	_, err := c.exchange(ctx, natpmpMapRequest(op, internal, 0, 0), op, internal)
	return err
}

func natpmpOp(proto string) byte {
	if proto == TCP {
		return natpmpOpTCP
	}
	return natpmpOpUDP
}

// exchange sends req to the gateway, resending it at doubling intervals,
// until an answer to opcode op (for internal port, in a mapping) arrives,
// the gateway refuses, or the timeout passes.
func (c *natpmpClient) exchange(ctx context.Context, req []byte, op byte, internal uint16) (natpmpAnswer, error) {
	dst := netip.AddrPortFrom(c.gw, natpmpPort)
	conn, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(dst))
	if err != nil {
		return natpmpAnswer{}, fmt.Errorf("NAT-PMP to %s: %w", dst, err)
	}
	defer conn.Close()
	end := deadline(ctx, c.timeout)
	stop := bind(ctx, conn, c.timeout)
	defer stop()
	buf := make([]byte, natpmpMaxAnswer+1)
	for wait := natpmpFirstWait; ; wait *= 2 {
		if _, err := conn.Write(req); err != nil {
			return natpmpAnswer{}, c.fail(ctx, err)
		}
		_ = conn.SetReadDeadline(minTime(time.Now().Add(wait), end))
		for {
			n, err := conn.Read(buf)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && time.Now().Before(end) && ctx.Err() == nil {
				break // resend
			}
			if err != nil {
				return natpmpAnswer{}, c.fail(ctx, err)
			}
			a, err := parseNATPMP(buf[:n])
			if errors.Is(err, errNATPMP) || a.Op != op || (err == nil && op != natpmpOpExternal && a.Internal != internal) {
				continue // not an answer to this request
			}
			if err != nil {
				return natpmpAnswer{}, fmt.Errorf("NAT-PMP %s: %w", dst, err)
			}
			return a, nil
		}
	}
}

func (c *natpmpClient) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return fmt.Errorf("NAT-PMP to %s: %w", c.gw, err)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
