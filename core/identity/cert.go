package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// ErrWeakKey means a public key is not RSA or is smaller than MinKeyBits.
var ErrWeakKey = errors.New("key too weak")

// weakKeyError describes a rejected key; errors.Is matches ErrWeakKey.
type weakKeyError struct{ detail string }

func (e *weakKeyError) Error() string        { return e.detail }
func (e *weakKeyError) Is(target error) bool { return target == ErrWeakKey }

// CheckPublicKey returns pub as an RSA key if tincan accepts it: RSA, at
// least MinKeyBits, odd exponent of at least 3. Otherwise the error
// matches ErrWeakKey and says why.
func CheckPublicKey(pub any) (*rsa.PublicKey, error) {
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, &weakKeyError{fmt.Sprintf("key is %T, not RSA", pub)}
	}
	if k == nil || k.N == nil {
		return nil, &weakKeyError{"RSA key is empty"}
	}
	if bits := k.N.BitLen(); bits < MinKeyBits {
		return nil, &weakKeyError{fmt.Sprintf("RSA key has %d bits, at least %d are required", bits, MinKeyBits)}
	}
	if k.E < 3 || k.E%2 == 0 {
		return nil, &weakKeyError{fmt.Sprintf("RSA key has public exponent %d, which is unsafe", k.E)}
	}
	return k, nil
}

// SelfCert returns a self-signed certificate for id's key, for TLS sessions
// pinned to that key (peers check the key, not the certificate chain).
func SelfCert(id *Identity) (tls.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("self cert: serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "tincan"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, id.Public(), id.Key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("self cert: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("self cert: parse: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: id.Key, Leaf: leaf}, nil
}

// PublicKeyFromCert returns the RSA public key of a peer's DER certificate,
// rejecting keys that CheckPublicKey refuses (errors.Is ErrWeakKey).
func PublicKeyFromCert(der []byte) (*rsa.PublicKey, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("peer certificate: %w", err)
	}
	k, err := CheckPublicKey(cert.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("peer certificate: %w", err)
	}
	return k, nil
}
