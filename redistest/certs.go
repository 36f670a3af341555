package redistest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// File names written into Server.Dir for TLS servers.
const (
	caCertFile     = "ca.crt"
	serverCertFile = "server.crt"
	serverKeyFile  = "server.key"
	clientCertFile = "client.crt"
	clientKeyFile  = "client.key"
)

// pki is the process-wide test PKI: one CA, one server certificate and one
// client certificate, shared by every TLS server this process starts.
type pki struct {
	caPEM, serverCertPEM, serverKeyPEM, clientCertPEM, clientKeyPEM []byte

	pool       *x509.CertPool
	clientPair tls.Certificate
}

var (
	pkiOnce sync.Once
	pkiVal  *pki
	pkiErr  error
)

// getPKI generates the shared certificates on first use.
func getPKI() (*pki, error) {
	pkiOnce.Do(func() { pkiVal, pkiErr = newPKI() })
	return pkiVal, pkiErr
}

func newPKI() (*pki, error) {
	now := time.Now()
	notBefore := now.Add(-time.Hour)
	notAfter := now.AddDate(10, 0, 0)

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          randSerial(),
		Subject:               pkix.Name{CommonName: "redistest CA", Organization: []string{"redistest"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	leaf := func(cn string, usages []x509.ExtKeyUsage, withSANs bool) (certPEM, keyPEM []byte, err error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: randSerial(),
			Subject:      pkix.Name{CommonName: cn, Organization: []string{"redistest"}},
			NotBefore:    notBefore,
			NotAfter:     notAfter,
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement,
			ExtKeyUsage:  usages,
		}
		if withSANs {
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			return nil, nil, fmt.Errorf("create %s certificate: %w", cn, err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
	}

	p := &pki{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})}
	// The server certificate also carries clientAuth so that it can be used
	// for replication over TLS (a replica presents it to its primary).
	p.serverCertPEM, p.serverKeyPEM, err = leaf("localhost",
		[]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, true)
	if err != nil {
		return nil, err
	}
	p.clientCertPEM, p.clientKeyPEM, err = leaf("redistest client",
		[]x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, false)
	if err != nil {
		return nil, err
	}
	p.pool = x509.NewCertPool()
	p.pool.AddCert(caCert)
	p.clientPair, err = tls.X509KeyPair(p.clientCertPEM, p.clientKeyPEM)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func randSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// writeFiles writes the PEM files into dir.
func (p *pki) writeFiles(dir string) error {
	files := []struct {
		name string
		data []byte
	}{
		{caCertFile, p.caPEM},
		{serverCertFile, p.serverCertPEM},
		{serverKeyFile, p.serverKeyPEM},
		{clientCertFile, p.clientCertPEM},
		{clientKeyFile, p.clientKeyPEM},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// clientConfig returns a fresh client configuration trusting the CA.
func (p *pki) clientConfig(withCert bool) *tls.Config {
	cfg := &tls.Config{
		RootCAs:    p.pool.Clone(),
		ServerName: "localhost",
		MinVersion: tls.VersionTLS12,
	}
	if withCert {
		cfg.Certificates = []tls.Certificate{p.clientPair}
	}
	return cfg
}
