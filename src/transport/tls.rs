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
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
    let der = key.der().to_vec();
    // ureq does not name its key-kind type outside its crate; its Debug form is the kind.
    let key_der: PrivateKeyDer<'static> = match format!("{:?}", key.kind()).as_str() {
        "Pkcs1" => PrivatePkcs1KeyDer::from(der).into(),
        "Sec1" => PrivateSec1KeyDer::from(der).into(),
        _ => PrivatePkcs8KeyDer::from(der).into(),
    };
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
