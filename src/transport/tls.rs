//! TLS settings for `https://` and `tcp://` with TLS: CA, client certificate and key.
//!
//! Everything is checked when the client is made, so that bad material is an error naming the
//! file then, never a failure (or a panic inside the TLS stack) at the first call: every PEM
//! block must parse, the CA bundle must hold at least one certificate that parses as X.509,
//! the client certificate must parse, the key must be a key rustls can sign with, and the key
//! must be the certificate's.

use std::path::PathBuf;

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

use crate::error::{Error, Result};

/// PEM files as the docker CLI names them (`ca.pem`, `cert.pem`, `key.pem`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// Verify the daemon's certificate (against `ca`, else the bundled web roots).
    pub verify: bool,
}

fn read_pem(path: &PathBuf, what: &str) -> Result<Vec<PemItem<'static>>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::invalid(format!("cannot read TLS {what} {}: {e}", path.display())))?;
    let items: std::result::Result<Vec<_>, _> = ureq::tls::parse_pem(&bytes).collect();
    let items = items
        .map_err(|e| Error::invalid(format!("TLS {what} {} is not valid PEM: {e}", path.display())))?;
    if items.is_empty() {
        return Err(Error::invalid(format!("TLS {what} {} holds no PEM block", path.display())));
    }
    Ok(items)
}

impl TlsFiles {
    pub fn to_tls_config(&self) -> Result<TlsConfig> {
        let mut b = TlsConfig::builder();
        if let Some(ca) = &self.ca {
            let certs: Vec<Certificate<'static>> = read_pem(ca, "CA")?
                .into_iter()
                .filter_map(|i| match i {
                    PemItem::Certificate(c) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(Error::invalid(format!("TLS CA {} holds no certificate", ca.display())));
            }
            let mut store = rustls::RootCertStore::empty();
            for (i, c) in certs.iter().enumerate() {
                store.add(rustls::pki_types::CertificateDer::from(c.der().to_vec())).map_err(|e| {
                    Error::invalid(format!("TLS CA {}: certificate {} does not parse: {e}", ca.display(), i + 1))
                })?;
            }
            b = b.root_certs(RootCerts::new_with_certs(&certs));
        }
        match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => {
                let chain: Vec<Certificate<'static>> = read_pem(cert, "certificate")?
                    .into_iter()
                    .filter_map(|i| match i {
                        PemItem::Certificate(c) => Some(c),
                        _ => None,
                    })
                    .collect();
                if chain.is_empty() {
                    return Err(Error::invalid(format!(
                        "TLS certificate {} holds no certificate",
                        cert.display()
                    )));
                }
                // PKCS#1 ("RSA PRIVATE KEY"), PKCS#8 and SEC1 keys are all accepted.
                let key_item: Option<PrivateKey<'static>> =
                    read_pem(key, "key")?.into_iter().find_map(|i| match i {
                        PemItem::PrivateKey(k) => Some(k),
                        _ => None,
                    });
                let key_item = key_item.ok_or_else(|| {
                    Error::invalid(format!("TLS key {} holds no private key", key.display()))
                })?;
                check_key_pair(&chain, &key_item, cert, key)?;
                b = b.client_cert(Some(ClientCert::new_with_certs(&chain, key_item)));
            }
            (None, None) => {}
            _ => return Err(Error::invalid("TLS options need both \"cert\" and \"key\", or neither")),
        }
        b = b.disable_verification(!self.verify);
        Ok(b.build())
    }
}

/// The key must be one rustls can sign with, the certificate must parse, and the key must be
/// the certificate's.
fn check_key_pair(chain: &[Certificate<'_>], key: &PrivateKey<'_>, cert_path: &std::path::Path, key_path: &std::path::Path) -> Result<()> {
    use rustls::pki_types::CertificateDer;
    let key_der = rustls_key(key);
    let signing = rustls::crypto::ring::sign::any_supported_type(&key_der)
        .map_err(|e| Error::invalid(format!("TLS key {} is not a usable private key: {e}", key_path.display())))?;
    let certs: Vec<CertificateDer<'static>> = chain.iter().map(|c| CertificateDer::from(c.der().to_vec())).collect();
    let certified = rustls::sign::CertifiedKey::new(certs, signing);
    // As rustls judges the pair when it is used: a key whose consistency cannot be told is
    // accepted, anything else refused now rather than at the first call.
    certified.keys_match().or_else(|e| match e {
        rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown) => Ok(()),
        other => Err(other),
    }).map_err(|e| match e {
        rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => Error::invalid(format!(
            "TLS key {} does not belong to the certificate {} (their public keys differ)",
            key_path.display(),
            cert_path.display()
        )),
        other => Error::invalid(format!(
            "TLS certificate {} with key {} cannot be used: {other}{}",
            cert_path.display(),
            key_path.display(),
            if format!("{other:?}").contains("UnsupportedCertVersion") {
                " (an X.509 v1 certificate: make a v3 one, e.g. `openssl x509 -req … -extfile` with \"extendedKeyUsage = clientAuth\")"
            } else {
                ""
            }
        )),
    })
}

/// A key as rustls takes it.
fn rustls_key(key: &PrivateKey<'_>) -> rustls::pki_types::PrivateKeyDer<'static> {
    use rustls::pki_types::{PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
    let der = key.der().to_vec();
    // ureq does not name its key-kind type outside its crate; its Debug form is the kind.
    match format!("{:?}", key.kind()).as_str() {
        "Pkcs1" => PrivatePkcs1KeyDer::from(der).into(),
        "Sec1" => PrivateSec1KeyDer::from(der).into(),
        _ => PrivatePkcs8KeyDer::from(der).into(),
    }
}

impl TlsFiles {
    /// The same settings as [`TlsFiles::to_tls_config`], as a rustls configuration: for the
    /// connections the library encrypts itself (see [`super::tls_pump`]) rather than through
    /// ureq. Roots: the CA file, else Mozilla's (what ureq uses); no verification when
    /// `verify` is off.
    pub fn to_rustls_config(&self) -> Result<std::sync::Arc<rustls::ClientConfig>> {
        use rustls::pki_types::CertificateDer;
        let checked = self.to_tls_config()?;
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::invalid(format!("TLS: {e}")))?;
        let builder = if self.verify {
            let mut roots = rustls::RootCertStore::empty();
            match checked.root_certs() {
                RootCerts::Specific(certs) => {
                    for c in certs.iter() {
                        // Parsed when the client was made (to_tls_config checks each one).
                        let _ = roots.add(CertificateDer::from(c.der().to_vec()));
                    }
                }
                _ => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            }
            builder.with_root_certificates(roots)
        } else {
            builder.dangerous().with_custom_certificate_verifier(std::sync::Arc::new(Unverified(provider)))
        };
        let config = match checked.client_cert() {
            Some(cert) => {
                let chain = cert.certs().iter().map(|c| CertificateDer::from(c.der().to_vec())).collect();
                builder
                    .with_client_auth_cert(chain, rustls_key(cert.private_key()))
                    .map_err(|e| Error::invalid(format!("TLS client certificate: {e}")))?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(std::sync::Arc::new(config))
    }
}

/// The daemon's certificate taken unchecked (`"tls_verify": false`, the CLI's `--tls` without
/// `--tlsverify`); its handshake signatures are still checked, as rustls does for any peer.
#[derive(Debug)]
struct Unverified(std::sync::Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
