//! SDK-HMAC-SHA256, the request signature of Huawei Cloud's API gateway.
//!
//! Pure functions: the client signs with them and the emulator verifies with
//! them, and both are checked against the official SDK's vectors.

use hmac::{KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Format of the `X-Sdk-Date` header.
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// What Python's `quote(s, safe='~')` leaves alone: `A-Za-z0-9_.-~`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'.').remove(b'-').remove(b'~');

/// Percent-encodes one path segment or query component the way the signer does.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// The path as it is sent: every segment encoded, no slash added.
pub fn encode_path(segments: &[&str]) -> String {
    segments.iter().map(|s| format!("/{}", encode(s))).collect()
}

/// Canonical URI: decode the path, re-encode each segment, end with `/`.
pub fn canonical_uri(path: &str) -> String {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let mut out = decoded.split('/').map(encode).collect::<Vec<_>>().join("/");
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// Canonical query: pairs sorted by their raw text, each side encoded. The
/// same string is what the client sends.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = query.iter().collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// Splits a received query string back into raw (decoded) pairs.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
            (dec(k), dec(v))
        })
        .collect()
}

pub fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// One request to sign. `headers` must already hold `Host` and `X-Sdk-Date`.
#[derive(Debug, Clone)]
pub struct SignInput<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// Every intermediate of a signature, so tests can compare each one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signed_headers: String,
    pub signature: String,
}

impl Signature {
    pub fn authorization(&self, access_key: &str) -> String {
        format!("{ALGORITHM} Access={access_key}, SignedHeaders={}, Signature={}", self.signed_headers, self.signature)
    }
}

/// The headers that get signed: every one whose name has no `_`, lower-cased
/// and sorted, with trimmed values.
fn signable_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| !k.contains('_'))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    out.sort();
    out
}

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Signs with the headers chosen by the signer's rule.
pub fn sign(input: &SignInput<'_>, secret_key: &str) -> Signature {
    sign_with_headers(input, &signable_headers(input.headers), secret_key)
}

/// Signs over exactly the given (lower-case, sorted) headers. The verifier
/// uses it with the list the client declared in `SignedHeaders`.
fn sign_with_headers(input: &SignInput<'_>, signed: &[(String, String)], secret_key: &str) -> Signature {
    let date = header_value(input.headers, "x-sdk-date").unwrap_or("");
    let signed_headers = signed.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    let header_lines: String = signed.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method,
        canonical_uri(input.path),
        canonical_query(input.query),
        header_lines,
        signed_headers,
        hex_sha256(input.body)
    );
    let string_to_sign = format!("{ALGORITHM}\n{date}\n{}", hex_sha256(canonical_request.as_bytes()));
    let signature = hmac_hex(secret_key.as_bytes(), string_to_sign.as_bytes());
    Signature { canonical_request, string_to_sign, signed_headers, signature }
}

/// The parts of an `Authorization: SDK-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    pub access_key: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization> {
    let rest = value.strip_prefix(ALGORITHM)?.trim_start();
    let (mut access, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Access" => access = Some(v.to_string()),
            "SignedHeaders" => signed = Some(v.split(';').map(str::to_string).collect()),
            "Signature" => sig = Some(v.to_string()),
            _ => {}
        }
    }
    Some(ParsedAuthorization { access_key: access?, signed_headers: signed?, signature: sig? })
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// A header named in `SignedHeaders` is missing, or `host` / `x-sdk-date` are not signed.
    MissingHeader(String),
    Mismatch,
}

/// Recomputes the signature over the headers the client declared and compares
/// it in constant time.
pub fn verify(input: &SignInput<'_>, auth: &ParsedAuthorization, secret_key: &str) -> Result<(), VerifyError> {
    for required in ["host", "x-sdk-date"] {
        if !auth.signed_headers.iter().any(|h| h == required) {
            return Err(VerifyError::MissingHeader(required.to_string()));
        }
    }
    let mut signed = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let value = header_value(input.headers, name).ok_or_else(|| VerifyError::MissingHeader(name.clone()))?;
        signed.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let expected = sign_with_headers(input, &signed, secret_key);
    if constant_time_eq(expected.signature.as_bytes(), auth.signature.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The official SDK's signing vectors, shipped beside the checkout.
    fn vectors() -> Vec<Value> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/signer-vectors.json");
        let text = std::fs::read_to_string(path).expect("signer vectors");
        let doc: Value = serde_json::from_str(&text).unwrap();
        doc["vectors"].as_array().unwrap().clone()
    }

    fn scalar(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            other => other.to_string(),
        }
    }

    type Pairs = Vec<(String, String)>;

    fn input_parts(v: &Value) -> (Pairs, Pairs) {
        let query = v["query"].as_array().unwrap().iter().map(|p| (scalar(&p[0]), scalar(&p[1]))).collect();
        let mut headers: Vec<(String, String)> =
            v["headers"].as_object().unwrap().iter().map(|(k, val)| (k.clone(), scalar(val))).collect();
        headers.push(("Host".into(), v["host"].as_str().unwrap().into()));
        (query, headers)
    }

    #[test]
    fn reproduces_all_official_vectors() {
        let vectors = vectors();
        assert_eq!(vectors.len(), 12);
        for v in &vectors {
            let (query, headers) = input_parts(v);
            let input = SignInput {
                method: v["method"].as_str().unwrap(),
                path: v["path"].as_str().unwrap(),
                query: &query,
                headers: &headers,
                body: v["body"].as_str().unwrap().as_bytes(),
            };
            let sig = sign(&input, v["sk"].as_str().unwrap());
            let id = &v["id"];
            assert_eq!(sig.canonical_request, v["canonical_request"].as_str().unwrap(), "vector {id}");
            assert_eq!(sig.string_to_sign, v["string_to_sign"].as_str().unwrap(), "vector {id}");
            assert_eq!(sig.signed_headers, v["signed_headers"].as_str().unwrap(), "vector {id}");
            assert_eq!(
                sig.authorization(v["ak"].as_str().unwrap()),
                v["authorization"].as_str().unwrap(),
                "vector {id}"
            );
            // The query that is sent is the canonical one.
            let final_url = v["final_url"].as_str().unwrap();
            let sent_query = final_url.split_once('?').map_or("", |(_, q)| q);
            assert_eq!(canonical_query(&query), sent_query, "vector {id}");
        }
    }

    #[test]
    fn verifies_all_official_vectors_and_rejects_tampering() {
        for v in &vectors() {
            let (query, headers) = input_parts(v);
            let body = v["body"].as_str().unwrap().as_bytes();
            let input = SignInput {
                method: v["method"].as_str().unwrap(),
                path: v["path"].as_str().unwrap(),
                query: &query,
                headers: &headers,
                body,
            };
            let auth = parse_authorization(v["authorization"].as_str().unwrap()).unwrap();
            assert_eq!(auth.access_key, v["ak"].as_str().unwrap());
            verify(&input, &auth, v["sk"].as_str().unwrap()).unwrap();
            assert_eq!(verify(&input, &auth, "wrong"), Err(VerifyError::Mismatch));
            let tampered = SignInput { method: "PATCH", ..input.clone() };
            assert_eq!(verify(&tampered, &auth, v["sk"].as_str().unwrap()), Err(VerifyError::Mismatch));
        }
    }

    #[test]
    fn received_query_round_trips() {
        let q = vec![("marker".to_string(), "m/ß".to_string()), ("a".into(), "b c".into())];
        let mut parsed = parse_query(&canonical_query(&q));
        parsed.sort();
        let mut q2 = q.clone();
        q2.sort();
        assert_eq!(parsed, q2);
    }

    #[test]
    fn host_must_be_signed() {
        let auth = ParsedAuthorization {
            access_key: "AK".into(),
            signed_headers: vec!["x-sdk-date".into()],
            signature: "00".into(),
        };
        let input = SignInput { method: "GET", path: "/", query: &[], headers: &[], body: b"" };
        assert_eq!(verify(&input, &auth, "sk"), Err(VerifyError::MissingHeader("host".into())));
    }
}
