//! The CSMS API: wire model, errors, request signing, authentication and the
//! client. No terminal and no UI types in here.

pub mod auth;
pub mod bulk;
pub mod changes;
pub mod client;
pub mod error;
pub mod host_limit;
pub mod manage;
pub mod model;
pub mod reconcile;
pub mod redact;
pub mod retry;
pub mod signer;

pub use auth::Credentials;
pub use client::{Client, ClientOptions, ProjectRef, ProjectSummary};
pub use error::{Error, Result};
pub use model::{Secret, SecretState};
pub use reconcile::{CancelOutcome, CancelReport, cancel_deletion};
pub use redact::Redacted;
pub use retry::RetryPolicy;
