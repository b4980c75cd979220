package identity

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"testing"
	"time"
)

func TestSelfCert(t *testing.T) {
	id := testIdentity(t)
	cert, err := SelfCert(id)
	if err != nil {
		t.Fatalf("SelfCert: %v", err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Subject.CommonName != "tincan" {
		t.Errorf("CN = %q", leaf.Subject.CommonName)
	}
	now := time.Now()
	if !leaf.NotBefore.Before(now.Add(-50*time.Minute)) || leaf.NotAfter.Before(now.AddDate(9, 11, 0)) {
		t.Errorf("validity %v .. %v, want now-1h .. now+10y", leaf.NotBefore, leaf.NotAfter)
	}
	if err := leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	other, _ := SelfCert(id)
	if other.Leaf.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
		t.Errorf("two certificates share serial %v", leaf.SerialNumber)
	}
	pub, err := PublicKeyFromCert(cert.Certificate[0])
	if err != nil || !pub.Equal(id.Public()) {
		t.Errorf("PublicKeyFromCert = %v, %v; want the identity's key", pub, err)
	}
}

// TestSelfCertPinnedTLS runs a real TLS handshake in which each side accepts
// only the other's pinned key.
func TestSelfCertPinnedTLS(t *testing.T) {
	id := testIdentity(t)
	cert, err := SelfCert(id)
	if err != nil {
		t.Fatal(err)
	}
	pin := func(want *rsa.PublicKey) func([][]byte, [][]*x509.Certificate) error {
		return func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) != 1 {
				return fmt.Errorf("got %d certificates", len(raw))
			}
			got, err := PublicKeyFromCert(raw[0])
			if err != nil {
				return err
			}
			if !got.Equal(want) {
				return errors.New("peer key is not the pinned key")
			}
			return nil
		}
	}
	cfg := func(want *rsa.PublicKey) *tls.Config {
		return &tls.Config{
			Certificates:          []tls.Certificate{cert},
			InsecureSkipVerify:    true, // verification is the pin below
			ClientAuth:            tls.RequireAnyClientCert,
			VerifyPeerCertificate: pin(want),
			MinVersion:            tls.VersionTLS13,
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	handshake := func(want *rsa.PublicKey) (clientErr, serverErr error) {
		c, s := net.Pipe()
		defer c.Close()
		defer s.Close()
		done := make(chan error, 1)
		go func() { done <- tls.Server(s, cfg(id.Public())).HandshakeContext(ctx) }()
		clientErr = tls.Client(c, cfg(want)).HandshakeContext(ctx)
		c.Close()
		return clientErr, <-done
	}
	if ce, se := handshake(id.Public()); ce != nil || se != nil {
		t.Fatalf("pinned handshake: client %v, server %v", ce, se)
	}
	wrong := *id.Public()
	wrong.N = new(big.Int).Add(wrong.N, big.NewInt(2))
	if ce, _ := handshake(&wrong); ce == nil {
		t.Errorf("client accepted a server whose key is not the pinned one")
	}
}

func TestPublicKeyFromCertRejects(t *testing.T) {
	weak, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		pub  any
		priv any
	}{{"rsa2048", &weak.PublicKey, weak}, {"ecdsa", &ec.PublicKey, ec}} {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"},
			NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, c.pub, c.priv)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := PublicKeyFromCert(der); !errors.Is(err, ErrWeakKey) {
			t.Errorf("%s: PublicKeyFromCert = %v, want ErrWeakKey", c.name, err)
		}
	}
	if _, err := PublicKeyFromCert([]byte("not a certificate")); err == nil || errors.Is(err, ErrWeakKey) {
		t.Errorf("garbage: PublicKeyFromCert = %v, want a parse error", err)
	}
}

func TestCheckPublicKey(t *testing.T) {
	good := testIdentity(t).Public()
	if k, err := CheckPublicKey(good); err != nil || k != good {
		t.Errorf("CheckPublicKey(3072-bit) = %v, %v", k, err)
	}
	e1 := *good
	e1.E = 1
	even := *good
	even.E = 65536
	for name, pub := range map[string]any{"e=1": &e1, "even e": &even, "nil": (*rsa.PublicKey)(nil), "string": "x"} {
		if _, err := CheckPublicKey(pub); !errors.Is(err, ErrWeakKey) {
			t.Errorf("%s: CheckPublicKey = %v, want ErrWeakKey", name, err)
		}
	}
}
