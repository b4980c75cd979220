package link

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"tincan/core/overlay"
)

// selfCert returns a self-signed certificate for an Ed25519 node key. Peers
// check only the key in it, never the chain.
func selfCert(key ed25519.PrivateKey) (tls.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("link cert serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "tincan node"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	pub := key.Public()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("link cert: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("link cert: parse: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// peerGUID returns the GUID of the Ed25519 key in the peer's leaf
// certificate; any other kind of key is refused.
func peerGUID(rawCerts [][]byte) (overlay.GUID, error) {
	if len(rawCerts) == 0 {
		return overlay.GUID{}, fmt.Errorf("%w: no certificate", ErrPeerKey)
	}
	cert, err := x509.ParseCertificate(rawCerts[0])
	if err != nil {
		return overlay.GUID{}, fmt.Errorf("%w: %w", ErrPeerKey, err)
	}
	pub, ok := cert.PublicKey.(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		return overlay.GUID{}, fmt.Errorf("%w: %T is not an Ed25519 key", ErrPeerKey, cert.PublicKey)
	}
	return overlay.GUIDOf(pub), nil
}

// tlsConfig is the configuration of one side of one link: TLS 1.3 only, our
// certificate, no resumption, and the peer's GUID stored in *got once its
// certificate is checked. The chain means nothing; the key is what counts.
func (n *Net) tlsConfig(server bool, got *overlay.GUID) *tls.Config {
	cfg := &tls.Config{
		MinVersion:             tls.VersionTLS13,
		MaxVersion:             tls.VersionTLS13,
		Certificates:           []tls.Certificate{n.cert},
		SessionTicketsDisabled: true,
		VerifyPeerCertificate: func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
			g, err := peerGUID(rawCerts)
			if err != nil {
				return err
			}
			if g == n.self {
				return fmt.Errorf("%w: it is our own", ErrPeerKey)
			}
			*got = g
			return nil
		},
	}
	if server {
		cfg.ClientAuth = tls.RequireAnyClientCert
	} else {
		cfg.InsecureSkipVerify = true // verified by VerifyPeerCertificate above
	}
	return cfg
}
