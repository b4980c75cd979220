package relay

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"testing"
	"time"
)

// selfSigned makes a throwaway Ed25519 certificate for "peer-b".
func selfSigned(t *testing.T) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "peer-b"},
		DNSNames:     []string{"peer-b"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv, Leaf: leaf}, leaf
}

func TestTLSEndToEndThroughRelay(t *testing.T) {
	tr := startRelay(t, Config{})
	rawA, rawB := pair(t, tr.addr, randToken(t))

	cert, leaf := selfSigned(t)
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	client := tls.Client(rawA, &tls.Config{ServerName: "peer-b", RootCAs: roots, MinVersion: tls.VersionTLS13})
	server := tls.Server(rawB, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
	deadline := time.Now().Add(10 * time.Second)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)

	secretA := []byte("the password to the moon base is hunter2, repeated for length: hunter2 hunter2")
	secretB := []byte("acknowledged: the otter has landed, and nobody in the middle knows it")
	errc := make(chan error, 1)
	go func() {
		// The server side reads A's secret and answers with B's.
		got := make([]byte, len(secretA))
		if _, err := io.ReadFull(server, got); err != nil {
			errc <- err
			return
		}
		if !bytes.Equal(got, secretA) {
			errc <- io.ErrUnexpectedEOF
			return
		}
		_, err := server.Write(secretB)
		errc <- err
	}()
	if _, err := client.Write(secretA); err != nil {
		t.Fatalf("client write: %v", err)
	}
	got := make([]byte, len(secretB))
	if _, err := io.ReadFull(client, got); err != nil {
		t.Fatalf("client read: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server side: %v", err)
	}
	if !bytes.Equal(got, secretB) {
		t.Fatalf("client got %q", got)
	}
	if v := client.ConnectionState().Version; v != tls.VersionTLS13 {
		t.Fatalf("TLS version %#x", v)
	}
	if !client.ConnectionState().PeerCertificates[0].Equal(leaf) {
		t.Fatal("client saw another certificate")
	}

	seen := tr.rec.bytes()
	// The relay did carry the handshake and records...
	if len(seen) < len(secretA)+len(secretB)+500 {
		t.Fatalf("relay saw only %d bytes", len(seen))
	}
	// ...but none of the plaintext.
	for _, secret := range [][]byte{secretA, secretB, []byte("hunter2"), []byte("otter")} {
		if bytes.Contains(seen, secret) {
			t.Fatalf("relay saw plaintext %q", secret)
		}
	}
}
