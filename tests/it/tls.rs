//! TLS is verified unless a profile says otherwise: a self-signed endpoint is
//! refused, trusted through `ca_file`, or accepted with
//! `insecure_skip_tls_verify` (which the CLI then flags).

use crate::common;

use std::sync::Arc;

use common::*;
use csms_tui::csms::{Client, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LISTING: &str = r#"{"secrets":[{"name":"over-tls","state":"ENABLED"}],"page_info":{}}"#;

/// An HTTPS server with a self-signed certificate for 127.0.0.1 that answers
/// every request with one secret. Returns its URL and the certificate (PEM).
async fn self_signed_server() -> (String, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    let pem = cert.cert.pem();
    let key = tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else { return };
                let mut buf = [0u8; 8192];
                let _ = tls.read(&mut buf).await;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{LISTING}",
                    LISTING.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (format!("https://{addr}"), pem)
}

#[tokio::test]
async fn self_signed_is_refused_unless_trusted_or_explicitly_unverified() {
    let (url, pem) = self_signed_server().await;
    let mut opts = Server::options_for(&url, aksk_credentials());
    opts.retry.max_attempts = 1;

    let e = Client::new(opts.clone()).unwrap().list_secrets(10).await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e}");
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pem).unwrap();
    let mut trusted = opts.clone();
    trusted.ca_file = Some(ca);
    assert_eq!(Client::new(trusted).unwrap().list_secrets(10).await.unwrap()[0].name, "over-tls");

    let mut insecure = opts.clone();
    insecure.insecure_skip_tls_verify = true;
    assert_eq!(Client::new(insecure).unwrap().list_secrets(10).await.unwrap()[0].name, "over-tls");

    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let mut garbage = opts.clone();
    garbage.ca_file = Some(junk);
    let e = Client::new(garbage).unwrap_err();
    assert!(matches!(e, Error::Config { .. }), "{e}");
    // Named once: the profile, the key and the file.
    let text = e.to_string();
    assert!(text.starts_with("profile 'test': ca_file: ") && text.contains("junk.pem"), "{text}");
    assert_eq!(text.matches("profile").count(), 1, "{text}");
}

// The CLI runs as a blocking child process: the server needs a thread of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_trusts_a_ca_file_relative_to_the_config_and_flags_insecure_profiles() {
    let (url, pem) = self_signed_server().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab-ca.pem"), pem).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
             access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\nca_file = \"lab-ca.pem\"\n\n\
             [profiles.unverified]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
             access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\ninsecure_skip_tls_verify = true\n\n\
             [profiles.plain]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
             access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\nmax_attempts = 1\n"
        ),
    )
    .unwrap();
    let run = csms(&config, "", &["--profile", "lab", "list", "-o", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("over-tls"));
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    let run = csms(&config, "", &["--profile", "unverified", "list", "-o", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("does not verify TLS certificates"), "{}", run.stderr);

    let run = csms(&config, "", &["--profile", "plain", "list"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.to_lowercase().contains("certificate"), "{}", run.stderr);

    std::fs::remove_file(dir.path().join("lab-ca.pem")).unwrap();
    let run = csms(&config, "", &["--profile", "lab", "list"]);
    assert_eq!(run.status, 2, "a missing ca_file is a config error: {}", run.stderr);
    assert!(run.stderr.contains(":7: profiles.lab.ca_file"), "{}", run.stderr);
}
