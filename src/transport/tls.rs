//! TLS settings for `https://` and `tcp://` with TLS: CA, client certificate and key.

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
                b = b.client_cert(Some(ClientCert::new_with_certs(&chain, key_item)));
            }
            (None, None) => {}
            _ => return Err(Error::invalid("TLS options need both \"cert\" and \"key\", or neither")),
        }
        b = b.disable_verification(!self.verify);
        Ok(b.build())
    }
}
