package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
)

// Operation names for onceLog.
const (
	opListen     = "listen"
	opInterfaces = "interfaces"
	opReceive    = "receive"
)

// lanRun is the socket state of one LANBeacon.Run; only Run's goroutine
// touches it, except read, which runs in its own goroutine.
type lanRun struct {
	b      *LANBeacon
	group  *net.UDPAddr
	once   *onceLog
	conn   *net.UDPConn     // nil while not listening
	pc     *ipv4.PacketConn // conn's IPv4 options
	joined map[int]string   // interface index -> name, for conn's group memberships

	readErr chan error // the reader's final error; one reader at a time
	wg      sync.WaitGroup
}

func newLANRun(b *LANBeacon) *lanRun {
	return &lanRun{
		b:       b,
		group:   net.UDPAddrFromAddrPort(b.cfg.Group),
		once:    newOnceLog(b.log, opReceive),
		readErr: make(chan error, 1),
	}
}

// step listens if not yet listening, brings group memberships in line with
// the interfaces, and sends one beacon out of each.
func (r *lanRun) step(ctx context.Context) {
	defer r.once.sweep()
	if r.conn == nil {
		err := r.listen(ctx)
		r.once.report(opListen, err)
		if err != nil {
			return
		}
	}
	ifaces, err := lanInterfaces(r.b.cfg.Interfaces)
	r.once.report(opInterfaces, err)
	if err != nil {
		if errors.Is(err, errNoLANInterfaces) {
			r.b.setOnLink(nil)
			r.updateGroups(nil)
		}
		return
	}
	r.b.setOnLink(ifaces)
	r.updateGroups(ifaces)
	r.send(ifaces)
}

// listen opens the shared UDP socket on the group's port and starts its reader.
func (r *lanRun) listen(ctx context.Context) error {
	lc := net.ListenConfig{Control: reuseControl}
	addr := netip.AddrPortFrom(netip.IPv4Unspecified(), r.b.cfg.Group.Port()).String()
	c, err := lc.ListenPacket(ctx, "udp4", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	conn := c.(*net.UDPConn)
	pc := ipv4.NewPacketConn(conn)
	if err := pc.SetMulticastTTL(1); err != nil {
		_ = conn.Close()
		return fmt.Errorf("set multicast TTL: %w", err)
	}
	if err := pc.SetMulticastLoopback(true); err != nil {
		_ = conn.Close()
		return fmt.Errorf("set multicast loopback: %w", err)
	}
	r.conn, r.pc, r.joined = conn, pc, map[int]string{}
	r.wg.Go(func() { r.read(conn) })
	return nil
}

// read hands every datagram on conn to the beacon until conn fails or is closed.
func (r *lanRun) read(conn *net.UDPConn) {
	buf := make([]byte, lanBeaconLen+1) // one more, so an oversized datagram is seen as such
	first := true
	for {
		n, src, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			r.readErr <- err
			return
		}
		if first {
			r.once.report(opReceive, nil)
			first = false
		}
		r.b.receive(buf[:n], src, time.Now())
	}
}

// dropConn closes a socket whose reader failed; the next step reopens it.
func (r *lanRun) dropConn(err error) {
	r.once.report(opReceive, fmt.Errorf("read: %w", err))
	if r.conn != nil {
		_ = r.conn.Close()
	}
	r.wg.Wait()
	r.conn, r.pc, r.joined = nil, nil, nil
}

// updateGroups leaves the group on interfaces no longer usable and joins it
// on new multicast-capable ones.
func (r *lanRun) updateGroups(ifaces []lanIface) {
	want := map[int]*lanIface{}
	for i := range ifaces {
		if ifaces[i].multicast {
			want[ifaces[i].ifi.Index] = &ifaces[i]
		}
	}
	for idx, name := range r.joined {
		if li, ok := want[idx]; ok && li.ifi.Name == name {
			continue
		}
		_ = r.pc.LeaveGroup(&net.Interface{Index: idx, Name: name}, r.group) // it may be gone already
		delete(r.joined, idx)
	}
	for idx, li := range want {
		if _, ok := r.joined[idx]; ok {
			continue
		}
		err := r.pc.JoinGroup(&li.ifi, r.group)
		r.once.report("join "+li.ifi.Name, err)
		if err == nil {
			r.joined[idx] = li.ifi.Name
		}
	}
}

// send sends one beacon to the group on each multicast interface and to each
// broadcast address.
func (r *lanRun) send(ifaces []lanIface) {
	for i := range ifaces {
		li := &ifaces[i]
		if li.multicast {
			err := r.pc.SetMulticastInterface(&li.ifi)
			if err == nil {
				_, err = r.conn.WriteToUDPAddrPort(r.b.msg, r.b.cfg.Group)
			}
			r.once.report("multicast "+li.ifi.Name, err)
		}
		for _, bc := range li.broadcasts {
			dst := netip.AddrPortFrom(bc, r.b.cfg.Group.Port())
			_, err := r.conn.WriteToUDPAddrPort(r.b.msg, dst)
			r.once.report("broadcast "+li.ifi.Name+" "+bc.String(), err)
		}
	}
}

// close closes the socket and waits for the reader.
func (r *lanRun) close() {
	if r.conn != nil {
		_ = r.conn.Close()
	}
	r.wg.Wait()
}
