package chat

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"

	"tincan/core/identity"
	"tincan/core/store"
)

// Reasons a TLS peer is refused.
var (
	ErrStranger    = errors.New("chat: peer key is not a contact")
	ErrRevoked     = errors.New("chat: peer is a revoked contact")
	ErrKeyMismatch = errors.New("chat: peer key does not match the contact")
	errNoPeerCert  = errors.New("chat: peer sent no certificate")
)

// tlsIdentity is this node's certificate and key fingerprint.
type tlsIdentity struct {
	cert tls.Certificate
	fp   identity.Fingerprint
}

func newTLSIdentity(id *identity.Identity) (tlsIdentity, error) {
	cert, err := identity.SelfCert(id)
	if err != nil {
		return tlsIdentity{}, fmt.Errorf("make TLS certificate: %w", err)
	}
	return tlsIdentity{cert: cert, fp: id.Fingerprint()}, nil
}

// base is the TLS configuration both sides share: 1.3 only, our
// certificate, no session resumption (each session must present its key).
func (t tlsIdentity) base() *tls.Config {
	return &tls.Config{
		MinVersion:             tls.VersionTLS13,
		MaxVersion:             tls.VersionTLS13,
		Certificates:           []tls.Certificate{t.cert},
		SessionTicketsDisabled: true,
	}
}

// peerFingerprint returns the fingerprint of the key in the leaf certificate.
func peerFingerprint(rawCerts [][]byte) (identity.Fingerprint, error) {
	if len(rawCerts) == 0 {
		return identity.Fingerprint{}, errNoPeerCert
	}
	pub, err := identity.PublicKeyFromCert(rawCerts[0])
	if err != nil {
		return identity.Fingerprint{}, err
	}
	return identity.FingerprintOf(pub), nil
}

// serverConfig presents our key ti and accepts only clients whose key is a
// contact's, not a revoked one; the contact is stored in *peer and its
// fingerprint in *fp.
func (m *Manager) serverConfig(ctx context.Context, ti tlsIdentity, remote string, peer *store.Contact, fp *identity.Fingerprint) *tls.Config {
	cfg := ti.base()
	cfg.ClientAuth = tls.RequireAnyClientCert
	cfg.VerifyPeerCertificate = func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
		got, err := peerFingerprint(rawCerts)
		if err != nil {
			m.log.Warn("refused inbound session: unusable certificate", "remote", remote, "err", err)
			return err
		}
		c, err := m.cfg.Store.ContactByFingerprint(ctx, got[:])
		if errors.Is(err, store.ErrNotFound) {
			m.log.Warn("refused inbound session from a stranger",
				"fingerprint", hex.EncodeToString(got[:]), "remote", remote)
			return ErrStranger
		}
		if err != nil {
			return fmt.Errorf("look up peer key: %w", err)
		}
		if c.Revoked {
			m.log.Warn("refused inbound session from a revoked contact", "contact", c.ID, "remote", remote)
			return ErrRevoked
		}
		*peer, *fp = c, got
		return nil
	}
	return cfg
}

// clientConfig presents our key ti and accepts only a server whose key is
// the dialed contact's.
func (m *Manager) clientConfig(ti tlsIdentity, c store.Contact, addr string, log *slog.Logger) *tls.Config {
	cfg := ti.base()
	cfg.InsecureSkipVerify = true // the chain is meaningless; the key is pinned below
	cfg.ServerName = "tincan"
	cfg.VerifyPeerCertificate = func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
		got, err := peerFingerprint(rawCerts)
		if err != nil {
			log.Warn("refused outbound session: unusable certificate", "addr", addr, "err", err)
			return err
		}
		if !bytes.Equal(got[:], c.Fingerprint) {
			log.Warn("refused outbound session: key mismatch", "addr", addr,
				"fingerprint", hex.EncodeToString(got[:]), "want", hex.EncodeToString(c.Fingerprint))
			return ErrKeyMismatch
		}
		return nil
	}
	return cfg
}
