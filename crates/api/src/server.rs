//! Binding the listeners and serving them until shutdown.

use std::{
    net::{IpAddr, SocketAddr},
    os::unix::fs::PermissionsExt,
    path::PathBuf,
    sync::Arc,
};

use axum::Router;
use tokio::{
    net::{TcpListener, UnixListener},
    sync::watch,
    task::JoinSet,
};
use tracing::info;

use crate::{Services, routes};

/// Where the API listens.
#[derive(Clone)]
pub struct Config {
    /// IP address of the TCP listeners.
    pub http_bind: IpAddr,
    /// Health port (0 picks a free port).
    pub health_port: u16,
    /// API port (0 picks a free port); unused without a token.
    pub api_port: u16,
    /// Bearer token of the TCP API; `None` keeps it off.
    pub api_token: Option<String>,
    /// Unix socket path (the node puts it in its data directory).
    pub socket_path: PathBuf,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("http_bind", &self.http_bind)
            .field("health_port", &self.health_port)
            .field("api_port", &self.api_port)
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .field("socket_path", &self.socket_path)
            .finish()
    }
}

impl Default for Config {
    /// Every address, health on 8081, the API on 8080 (off without a token), the socket at
    /// `sockets/api.sock` relative to the working directory.
    fn default() -> Self {
        Self {
            http_bind: IpAddr::from([0, 0, 0, 0]),
            health_port: 8081,
            api_port: 8080,
            api_token: None,
            socket_path: PathBuf::from(chorus_datadir::SOCKET),
        }
    }
}

/// A setting the listeners cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} = {value}: expected {expected}")]
pub struct Invalid {
    /// The field.
    pub field: &'static str,
    /// Its value.
    pub value: String,
    /// What was expected.
    pub expected: String,
}

impl Config {
    /// Checks what can be checked before binding: the socket path fits a Unix socket address.
    pub fn validate(&self) -> Result<(), Vec<Invalid>> {
        let len = self.socket_path.as_os_str().len();
        if len > MAX_SOCKET_PATH {
            return Err(vec![Invalid {
                field: "socket_path",
                value: self.socket_path.display().to_string(),
                expected: format!(
                    "a path of at most {MAX_SOCKET_PATH} bytes (Unix sockets allow no more; this one is {len}): choose a shorter data directory"
                ),
            }]);
        }
        Ok(())
    }
}

/// The running listeners.
#[derive(Debug)]
pub struct Server {
    health_addr: SocketAddr,
    api_addr: Option<SocketAddr>,
    socket_path: PathBuf,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

/// Binding a listener failed.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// A TCP port.
    #[error("{setting} = {addr}: cannot bind: {source}")]
    Tcp {
        /// Which setting.
        setting: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The Unix socket.
    #[error("API socket {path}: {reason}")]
    Socket {
        /// Its path.
        path: PathBuf,
        /// The cause.
        reason: String,
    },
}

/// Longest Unix socket path the kernel accepts (sun_path is 108 bytes with its NUL).
const MAX_SOCKET_PATH: usize = 107;

/// Binds every listener, then serves in the background. Returns once all are bound.
pub async fn start(config: Config, services: Services) -> Result<Server, BindError> {
    let shared = Arc::new(routes::State::new(services, config.api_token.clone()));
    let health = SocketAddr::new(config.http_bind, config.health_port);
    let health_l = TcpListener::bind(health)
        .await
        .map_err(|source| BindError::Tcp {
            setting: "CHORUS_HEALTH_PORT",
            addr: health,
            source,
        })?;
    let health_addr = health_l.local_addr().map_err(|source| BindError::Tcp {
        setting: "CHORUS_HEALTH_PORT",
        addr: health,
        source,
    })?;
    let api_l = match &config.api_token {
        Some(_) => {
            let a = SocketAddr::new(config.http_bind, config.api_port);
            Some(
                TcpListener::bind(a)
                    .await
                    .map_err(|source| BindError::Tcp {
                        setting: "CHORUS_API_PORT",
                        addr: a,
                        source,
                    })?,
            )
        }
        None => None,
    };
    let api_addr = api_l.as_ref().and_then(|l| l.local_addr().ok());
    let socket_l = bind_socket(&config.socket_path)?;

    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let serve_tcp = |tasks: &mut JoinSet<()>, l: TcpListener, router: Router| {
        let mut rx = stop_rx.clone();
        tasks.spawn(async move {
            let _ = axum::serve(l, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.wait_for(|s| *s).await;
                })
                .await;
        });
    };
    serve_tcp(&mut tasks, health_l, routes::health_router(shared.clone()));
    if let Some(l) = api_l {
        serve_tcp(&mut tasks, l, routes::api_router(shared.clone(), true));
    }
    {
        let mut rx = stop_rx.clone();
        let router = routes::api_router(shared.clone(), false);
        tasks.spawn(async move {
            let _ = axum::serve(socket_l, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.wait_for(|s| *s).await;
                })
                .await;
        });
    }
    info!(health = %health_addr, api = ?api_addr, socket = %config.socket_path.display(), "API listening");
    Ok(Server {
        health_addr,
        api_addr,
        socket_path: config.socket_path,
        stop,
        tasks,
    })
}

fn bind_socket(path: &PathBuf) -> Result<UnixListener, BindError> {
    let err = |reason: String| BindError::Socket {
        path: path.clone(),
        reason,
    };
    if path.as_os_str().len() > MAX_SOCKET_PATH {
        return Err(err(format!(
            "path is {} bytes; Unix sockets allow at most {MAX_SOCKET_PATH}: choose a shorter data directory",
            path.as_os_str().len()
        )));
    }
    // A socket file left by a previous run of this node: we hold the data directory lock, so
    // nobody else is serving on it.
    if path.exists() {
        std::fs::remove_file(path)
            .map_err(|e| err(format!("cannot remove the stale socket: {e}")))?;
    }
    let l = UnixListener::bind(path).map_err(|e| err(format!("cannot bind: {e}")))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| err(format!("cannot set mode 0600: {e}")))?;
    Ok(l)
}

impl Server {
    /// The health port's bound address.
    pub fn health_addr(&self) -> SocketAddr {
        self.health_addr
    }

    /// The TCP API's bound address, if it is on.
    pub fn api_addr(&self) -> Option<SocketAddr> {
        self.api_addr
    }

    /// The Unix socket path.
    pub fn socket_path(&self) -> &PathBuf {
        &self.socket_path
    }

    /// Stops accepting connections, lets in-flight requests finish, and removes the socket file.
    /// Cancel-safe in the sense that dropping it leaves the servers stopping in the background.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
        let _ = std::fs::remove_file(&self.socket_path);
    }
}
