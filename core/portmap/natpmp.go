package portmap

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// natpmpRetry resends after 250 ms, then at doubling intervals (RFC 6886).
var natpmpRetry = udpRetry{first: 250 * time.Millisecond}

// natpmpClient asks one gateway by NAT-PMP.
type natpmpClient struct {
	gw      netip.Addr
	self    netip.Addr
	ext     netip.Addr // the router's public address, from begin
	timeout time.Duration
}

func newNATPMP(gw netip.Addr, timeout time.Duration) *natpmpClient {
	return &natpmpClient{gw: gw, timeout: timeout}
}

func (c *natpmpClient) method() string    { return MethodNATPMP }
func (c *natpmpClient) local() netip.Addr { return c.self }

// begin learns our address towards the gateway and the router's public
// address, which must be a public one.
func (c *natpmpClient) begin(ctx context.Context) error {
	self, err := localAddrTo(c.gw) // the router maps for the address we ask from
	if err != nil {
		return fmt.Errorf("NAT-PMP: %w", err)
	}
	c.self = self
	a, err := c.exchange(ctx, natpmpExternalRequest(), natpmpOpExternal, 0)
	if err != nil {
		return err
	}
	if err := checkPublic(a.External); err != nil {
		return fmt.Errorf("NAT-PMP: %w", err)
	}
	c.ext = a.External
	return nil
}

func (c *natpmpClient) add(ctx context.Context, proto string, internal, want uint16, lifetime time.Duration) (netip.AddrPort, time.Duration, error) {
	secs := uint32(min(max(lifetime.Seconds(), 1), 1<<31))
	op := natpmpOp(proto)
	a, err := c.exchange(ctx, natpmpMapRequest(op, internal, want, secs), op, internal)
	if err != nil {
		return netip.AddrPort{}, 0, err
	}
	if a.Mapped == 0 || a.Lifetime == 0 {
		return netip.AddrPort{}, 0, fmt.Errorf("NAT-PMP map %s %d: %w: port %d for %ds", proto, internal, errNATPMP, a.Mapped, a.Lifetime)
	}
	return netip.AddrPortFrom(c.ext, a.Mapped), time.Duration(a.Lifetime) * time.Second, nil
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

// exchange sends req to the gateway until an answer to opcode op (for
// internal port, in a mapping) arrives, the gateway refuses, or the timeout
// passes.
func (c *natpmpClient) exchange(ctx context.Context, req []byte, op byte, internal uint16) (natpmpAnswer, error) {
	dst := netip.AddrPortFrom(c.gw, natpmpPort)
	var ans natpmpAnswer
	err := exchangeUDP(ctx, dst, c.timeout, natpmpRetry, req, func(b []byte) (bool, error) {
		a, err := parseNATPMP(b)
		if errors.Is(err, errNATPMP) || a.Op != op || (err == nil && op != natpmpOpExternal && a.Internal != internal) {
			return false, nil // not an answer to this request
		}
		ans = a
		return true, err
	})
	if err != nil {
		return natpmpAnswer{}, fmt.Errorf("NAT-PMP to %s: %w", dst, err)
	}
	return ans, nil
}
