//! `csms serve`: a local CSMS-compatible server backed by SQLite, for the
//! demo, the tests, and users who test their code offline.

pub mod accounts;
mod admin;
pub mod clock;
pub mod demo;
mod envelope;
mod error;
mod faults;
mod identity;
mod password;
pub mod quirks;
mod routes;
mod rules;
mod server;
pub mod store;
mod tag_routes;

pub use identity::TOKENS_PER_USER;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

pub use accounts::Accounts;
pub use error::ApiError;
use store::Store;

pub struct Inner {
    store: Mutex<Store>,
    pub accounts: Accounts,
    pub clock: clock::Clock,
    faults: Mutex<faults::Faults>,
    tokens: Mutex<identity::Tokens>,
    admin_token: Option<String>,
    /// How long a client may take to send its headers, and then its body.
    read_timeout: Duration,
    quirks: Mutex<quirks::Quirks>,
}

pub type Shared = Arc<Inner>;

impl Inner {
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Deletes the secrets whose recovery window has passed, and forgets expired tokens.
    pub fn reap(&self) -> Result<usize, ApiError> {
        let now = self.clock.now();
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).purge(now);
        let gone = self.store().reap(now)?;
        for (project, name) in &gone {
            tracing::info!(%project, %name, "recovery window over: secret deleted");
        }
        Ok(gone.len())
    }
}

pub enum Database {
    File(PathBuf),
    Memory,
}

pub struct ServeOptions {
    pub listen: SocketAddr,
    pub database: Database,
    pub accounts: Accounts,
    pub admin_token: Option<String>,
    pub read_timeout: Duration,
    pub quirks: quirks::Quirks,
}

/// The default of `--read-timeout`.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A running emulator: its address and a handle to stop it.
pub struct Running {
    pub addr: SocketAddr,
    pub shared: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish (for a few seconds at
    /// most), and waits.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Gives every answer an `X-Request-Id` and logs the request with it
/// (method, path, status, time; never a header or a body).
async fn request_id(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let started = std::time::Instant::now();
    let mut resp = next.run(req).await;
    resp.headers_mut().insert("X-Request-Id", HeaderValue::from_str(&id).expect("hex is a header value"));
    tracing::info!(%method, %path, status = resp.status().as_u16(), ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX), request_id = %id);
    resp
}

pub fn router(shared: Shared) -> Router {
    let api = Router::new()
        .route("/v1/{project_id}/secrets", get(routes::list_secrets).post(routes::create_secret))
        .route(
            "/v1/{project_id}/secrets/{name}",
            get(routes::show_secret).put(routes::update_secret).delete(routes::delete_secret),
        )
        .route("/v1/{project_id}/secrets/{name}/scheduled-deleted-tasks/create", post(routes::schedule_deletion))
        .route("/v1/{project_id}/secrets/{name}/scheduled-deleted-tasks/cancel", post(routes::cancel_deletion))
        .route("/v1/{project_id}/secrets/{name}/versions", get(routes::list_versions).post(routes::create_version))
        .route(
            "/v1/{project_id}/secrets/{name}/versions/{version_id}",
            get(routes::show_version).put(routes::update_version),
        )
        .route("/v1/{project_id}/secrets/{name}/backup", post(routes::backup))
        .route(
            "/v1/{project_id}/secrets/restore",
            post(routes::restore)
                .get(routes::secret_named_restore)
                .put(routes::secret_named_restore)
                .delete(routes::secret_named_restore),
        )
        .route("/v1/{project_id}/csms/generate-password", post(password::generate_password))
        .route("/v1/{project_id}/csms/tags", get(tag_routes::project_tags))
        .route(
            "/v1/{project_id}/secrets/{name}/stages/{stage}",
            get(routes::show_stage).put(routes::move_stage).delete(routes::delete_stage),
        )
        .route("/v1/{project_id}/csms/{secret_id}/tags", get(tag_routes::list_tags).post(tag_routes::create_tag))
        .route(
            "/v1/{project_id}/csms/{secret_id}/tags/action",
            post(tag_routes::batch).delete(tag_routes::delete_tag_named_action),
        )
        .route("/v1/{project_id}/csms/{secret_id}/tags/{key}", axum::routing::delete(tag_routes::delete_tag))
        .route_layer(middleware::from_fn_with_state(shared.clone(), quirks::apply))
        .route_layer(middleware::from_fn_with_state(shared.clone(), identity::authenticate));
    let admin = Router::new()
        .route("/_emulator/clock", post(admin::clock))
        .route("/_emulator/faults", post(admin::faults))
        .route("/_emulator/reset", post(admin::reset))
        .route("/_emulator/quirks", post(admin::quirks))
        .route_layer(middleware::from_fn_with_state(shared.clone(), admin::guard));
    let faulty = Router::new()
        .merge(api)
        .route("/v3/auth/tokens", post(identity::issue_token))
        .route("/v3/projects", get(identity::list_projects))
        .route("/v3/auth/projects", get(identity::list_auth_projects))
        .layer(middleware::from_fn_with_state(shared.clone(), faults::inject));
    Router::new()
        .merge(faulty)
        .merge(admin)
        .fallback(routes::no_such_api)
        .layer(middleware::from_fn_with_state(shared.clone(), envelope::envelope))
        .layer(middleware::from_fn(request_id))
        .with_state(shared)
}

pub fn default_db_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "csms-tui").map(|d| d.data_dir().join("emulator.db"))
}

/// Binds, starts serving and the reaper, and returns once connections are accepted.
pub async fn start(opts: ServeOptions) -> anyhow::Result<Running> {
    let store = match &opts.database {
        Database::Memory => Store::in_memory()?,
        Database::File(path) => {
            let named = |e: &dyn std::fmt::Display| anyhow::anyhow!("database {}: {e}", path.display());
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| named(&e))?;
            }
            // The file holds secret values: 0600 before SQLite opens it (its
            // -wal and -shm files take the same mode).
            crate::private_file::ensure(path).map_err(|e| named(&e))?;
            Store::open(path).map_err(|e| named(&e))?
        }
    };
    let clock = clock::Clock::with_offset(store.clock_offset().map_err(|e| anyhow::anyhow!("{}", e.message))?);
    let shared = Arc::new(Inner {
        store: Mutex::new(store),
        accounts: opts.accounts,
        clock,
        faults: Mutex::new(faults::Faults::default()),
        tokens: Mutex::new(identity::Tokens::default()),
        admin_token: opts.admin_token.filter(|t| !t.is_empty()),
        read_timeout: opts.read_timeout,
        quirks: Mutex::new(opts.quirks),
    });
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.listen))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = router(shared.clone());
    let reaper_state = shared.clone();
    let reaper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            let _ = reaper_state.reap();
        }
    });
    let task = tokio::spawn(async move {
        let result = server::serve(listener, app, opts.read_timeout, async {
            let _ = rx.await;
        })
        .await;
        reaper.abort();
        result
    });
    Ok(Running { addr, shared, shutdown: Some(tx), task })
}
