//go:build linux

package natlab

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// stunServer answers STUN binding requests over UDP and TCP on one address,
// telling each client the address its packets arrived from.
type stunServer struct {
	log *slog.Logger
	udp *net.UDPConn
	tcp *net.TCPListener
	wg  sync.WaitGroup
}

// startSTUN serves STUN at addr inside namespace ns until Close.
func startSTUN(ns string, addr netip.AddrPort, log *slog.Logger) (*stunServer, error) {
	s := &stunServer{log: log.With("stun", addr.String())}
	err := Do(ns, func() error {
		u, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(addr))
		if err != nil {
			return fmt.Errorf("STUN listen udp %s: %w", addr, err)
		}
		t, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(addr))
		if err != nil {
			u.Close()
			return fmt.Errorf("STUN listen tcp %s: %w", addr, err)
		}
		s.udp, s.tcp = u, t
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.wg.Add(2)
	go s.serveUDP()
	go s.serveTCP()
	return s, nil
}

func (s *stunServer) serveUDP() {
	defer s.wg.Done()
	buf := make([]byte, stunMaxMessage+1)
	for {
		n, from, err := s.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Warn("STUN read", "err", err)
			}
			return
		}
		req, err := parseSTUN(buf[:n])
		if err != nil || req.Type != stunBindingReq {
			continue
		}
		if _, err := s.udp.WriteToUDPAddrPort(stunResponse(req, from), from); err != nil {
			s.log.Warn("STUN reply", "to", from, "err", err)
		}
	}
}

func (s *stunServer) serveTCP() {
	defer s.wg.Done()
	for {
		c, err := s.tcp.AcceptTCP()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Warn("STUN accept", "err", err)
			}
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			req, err := readSTUN(c)
			if err != nil || req.Type != stunBindingReq {
				return
			}
			from := c.RemoteAddr().(*net.TCPAddr).AddrPort()
			if _, err := c.Write(stunResponse(req, from)); err != nil {
				s.log.Debug("STUN tcp reply", "to", from, "err", err)
			}
		}()
	}
}

// Close stops the server and waits for its goroutines.
func (s *stunServer) Close() error {
	err := errors.Join(s.udp.Close(), s.tcp.Close())
	s.wg.Wait()
	return err
}
