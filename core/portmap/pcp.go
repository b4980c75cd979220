package portmap

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// pcpRetry resends after 250 ms, then at doubling intervals, each wait
// jittered by ±10% as RFC 6887 (section 8.1.1) asks; RFC 6887's first wait
// of 3 s would leave no second try within Options.Timeout.
var pcpRetry = udpRetry{first: 250 * time.Millisecond, jitter: 0.1}

// pcpClient asks one gateway by PCP MAP requests.
type pcpClient struct {
	dst     netip.AddrPort
	self    netip.Addr
	timeout time.Duration
	log     *slog.Logger
	// nonces per protocol belong to the Keeper, so that they outlive this
	// client: the server deletes a mapping only for the nonce that made it.
	nonces   map[string]pcpNonce
	assigned map[string]netip.AddrPort // per protocol, suggested again on renewal
	epoch    uint32                    // from the last answer, at epochAt
	epochAt  time.Time
}

func newPCP(gw netip.Addr, timeout time.Duration, nonces map[string]pcpNonce, log *slog.Logger) *pcpClient {
	return &pcpClient{dst: netip.AddrPortFrom(gw, pcpPort), timeout: timeout, log: log,
		nonces: nonces, assigned: map[string]netip.AddrPort{}}
}

func (c *pcpClient) method() string    { return MethodPCP }
func (c *pcpClient) local() netip.Addr { return c.self }

// begin learns our address towards the gateway, which goes into each
// request; PCP has no request for the public address alone, so the MAP
// answers give it.
func (c *pcpClient) begin(context.Context) error {
	self, err := localAddrTo(c.dst.Addr())
	if err != nil {
		return fmt.Errorf("PCP: %w", err)
	}
	c.self = self
	return nil
}

func (c *pcpClient) add(ctx context.Context, proto string, internal, want uint16, lifetime time.Duration) (netip.AddrPort, time.Duration, error) {
	nonce, ok := c.nonces[proto]
	if !ok {
		_, _ = rand.Read(nonce[:]) // never fails (crypto/rand)
		c.nonces[proto] = nonce
	}
	secs := uint32(min(max(lifetime.Seconds(), 1), 1<<31))
	suggest := netip.AddrPortFrom(c.assigned[proto].Addr(), want)
	a, err := c.exchange(ctx, pcpMapRequest(nonce, pcpProto(proto), c.self, internal, suggest, secs), nonce, proto, internal)
	if err != nil {
		return netip.AddrPort{}, 0, err
	}
	ext := netip.AddrPortFrom(a.External.Addr().Unmap(), a.External.Port())
	if a.Lifetime == 0 || ext.Port() == 0 || !ext.Addr().Is4() {
		return netip.AddrPort{}, 0, fmt.Errorf("PCP map %s %d: %w: %s for %ds", proto, internal, errPCP, a.External, a.Lifetime)
	}
	if err := checkPublic(ext.Addr()); err != nil {
		// Behind another NAT the mapping reaches nobody: take it back.
		if rerr := c.remove(ctx, proto, internal, ext.Port()); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return netip.AddrPort{}, 0, fmt.Errorf("PCP: %w", err)
	}
	c.assigned[proto] = ext
	return ext, time.Duration(a.Lifetime) * time.Second, nil
}

// remove deletes the mapping with a MAP request of lifetime 0 and the nonce
// that made it.
func (c *pcpClient) remove(ctx context.Context, proto string, internal, ext uint16) error {
	nonce, ok := c.nonces[proto]
	if !ok {
		return fmt.Errorf("PCP unmap %s %d: no mapping made", proto, internal)
	}
	suggest := netip.AddrPortFrom(c.assigned[proto].Addr(), ext)
	_, err := c.exchange(ctx, pcpMapRequest(nonce, pcpProto(proto), c.self, internal, suggest, 0), nonce, proto, internal)
	if err == nil {
		delete(c.assigned, proto)
	}
	return err
}

func pcpProto(proto string) byte {
	if proto == TCP {
		return pcpProtoTCP
	}
	return pcpProtoUDP
}

// exchange sends the MAP request req until the answer with its nonce,
// protocol and internal port arrives, the gateway refuses, or the timeout
// passes.
func (c *pcpClient) exchange(ctx context.Context, req []byte, nonce pcpNonce, proto string, internal uint16) (pcpAnswer, error) {
	var ans pcpAnswer
	err := exchangeUDP(ctx, c.dst, c.timeout, pcpRetry, req, func(b []byte) (bool, error) {
		a, err := parsePCP(b)
		switch {
		case errors.Is(err, errNoPCP):
			return true, err
		case errors.Is(err, errPCP) || a.Op != pcpOpMap:
			return false, nil
		case a.HasMap && (a.Nonce != nonce || a.Protocol != pcpProto(proto) || a.Internal != internal):
			return false, nil // an answer to another request
		}
		ans = a
		return true, err
	})
	if err != nil {
		return pcpAnswer{}, fmt.Errorf("PCP to %s: %w", c.dst, err)
	}
	c.checkEpoch(ans.Epoch)
	return ans, nil
}

// pcpLostMsg is logged when the server's epoch shows it restarted.
const pcpLostMsg = "the router's PCP server lost its mappings (it restarted); mapping again"

// checkEpoch notes when the server's epoch shows that it lost its mappings
// since the last answer (RFC 6887, section 8.5). Each renewal makes the
// mappings again, so this only tells why they may come back different.
func (c *pcpClient) checkEpoch(epoch uint32) {
	now := time.Now()
	if !c.epochAt.IsZero() && pcpLostState(c.epoch, epoch, now.Sub(c.epochAt)) {
		c.log.Info(pcpLostMsg, "epoch", epoch, "previous", c.epoch)
	}
	c.epoch, c.epochAt = epoch, now
}

// pcpLostState applies RFC 6887's check (section 8.5) to two epochs from the
// server, seen elapsed apart by our clock.
func pcpLostState(prev, cur uint32, elapsed time.Duration) bool {
	if int64(cur) < int64(prev)-1 {
		return true
	}
	client := int64(elapsed / time.Second)
	server := int64(cur) - int64(prev)
	return client+2 < server-server/16 || server+2 < client-client/16
}
