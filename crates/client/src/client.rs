//! The client and its transport: one HTTP/1.1 connection per request, over the node's Unix
//! socket or TCP.

use std::{path::PathBuf, time::Duration};

use bytes::Bytes;
use chorus_types::status::ErrorBody;

use crate::Error;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde::{Serialize, de::DeserializeOwned};
use tokio::net::{TcpStream, UnixStream};

/// Largest response body read (a page of drawers or search hits stays far below).
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// Largest binary download (a backup) accepted.
const MAX_DOWNLOAD_BYTES: usize = 8 * 1024 * 1024 * 1024;

/// Where the node is.
#[derive(Debug, Clone)]
pub enum Target {
    /// Its Unix socket.
    Unix(PathBuf),
    /// `http://host:port`, with an optional bearer token.
    Http {
        /// `host:port`.
        authority: String,
        /// Bearer token.
        token: Option<String>,
    },
}

/// The `Idempotency-Key` header of a write, when the caller gives a key.
pub(crate) fn key_header(key: Option<&str>) -> Vec<(&'static str, String)> {
    key.map(|k| ("Idempotency-Key", k.to_string()))
        .into_iter()
        .collect()
}

/// A client bound to one node.
#[derive(Debug, Clone)]
pub struct Client {
    target: Target,
    timeout: Duration,
}

impl Client {
    /// A client for the node's Unix socket.
    pub fn unix(path: impl Into<PathBuf>) -> Self {
        Self {
            target: Target::Unix(path.into()),
            timeout: Duration::from_secs(30),
        }
    }

    /// A client for `http://host:port` with an optional bearer token.
    pub fn http(url: &str, token: Option<String>) -> Result<Self, Error> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| Error::BadUrl(url.into()))?;
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            return Err(Error::BadUrl(url.into()));
        }
        Ok(Self {
            target: Target::Http {
                authority: authority.into(),
                token,
            },
            timeout: Duration::from_secs(30),
        })
    }

    /// Sets the per-request deadline.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn target_name(&self) -> String {
        match &self.target {
            Target::Unix(p) => p.display().to_string(),
            Target::Http { authority, .. } => format!("http://{authority}"),
        }
    }

    /// GET `path` and decode the JSON answer.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        let (status, body) = self.call(Method::GET, path, None, &[]).await?;
        decode(status, &body)
    }

    /// POST `body` as JSON to `path` and decode the answer. `headers` are extra headers
    /// (e.g. `Idempotency-Key`).
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        headers: &[(&str, String)],
    ) -> Result<T, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Protocol(e.to_string()))?;
        let (status, body) = self.call(Method::POST, path, Some(bytes), headers).await?;
        decode(status, &body)
    }

    /// POST raw bytes (an exported record) to `path` and decode the JSON answer.
    pub async fn post_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Vec<u8>,
    ) -> Result<T, Error> {
        let (status, body) = self.call(Method::POST, path, Some(body), &[]).await?;
        decode(status, &body)
    }

    /// PATCH `path` with `body` as JSON and decode the answer.
    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        headers: &[(&str, String)],
    ) -> Result<T, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Protocol(e.to_string()))?;
        let (status, body) = self.call(Method::PATCH, path, Some(bytes), headers).await?;
        decode(status, &body)
    }

    /// DELETE `path` and decode the answer.
    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.delete_with(path, &[]).await
    }

    /// DELETE `path` with extra headers and decode the answer.
    pub(crate) async fn delete_with<T: DeserializeOwned>(
        &self,
        path: &str,
        headers: &[(&str, String)],
    ) -> Result<T, Error> {
        let (status, body) = self.call(Method::DELETE, path, None, headers).await?;
        decode(status, &body)
    }

    /// POST an empty body to `path` and return the raw answer (a backup file), up to 8 GiB.
    pub async fn post_download(&self, path: &str) -> Result<Vec<u8>, Error> {
        let (status, body) = tokio::time::timeout(
            self.timeout,
            self.call_limited(Method::POST, path, None, &[], MAX_DOWNLOAD_BYTES),
        )
        .await
        .map_err(|_| Error::Unavailable {
            target: self.target_name(),
            reason: format!("no answer within {:?}", self.timeout),
        })??;
        if !status.is_success() {
            return Err(api_error(status, &body));
        }
        Ok(body.to_vec())
    }

    /// GET `path` and return the raw body text (for `/metrics`).
    pub async fn get_text(&self, path: &str) -> Result<String, Error> {
        let (status, body) = self.call(Method::GET, path, None, &[]).await?;
        if !status.is_success() {
            return Err(api_error(status, &body));
        }
        String::from_utf8(body.to_vec()).map_err(|e| Error::Protocol(e.to_string()))
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, String)],
    ) -> Result<(StatusCode, Bytes), Error> {
        tokio::time::timeout(
            self.timeout,
            self.call_limited(method, path, body, headers, MAX_RESPONSE_BYTES),
        )
        .await
        .map_err(|_| Error::Unavailable {
            target: self.target_name(),
            reason: format!("no answer within {:?}", self.timeout),
        })?
    }

    async fn call_limited(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, String)],
        limit: usize,
    ) -> Result<(StatusCode, Bytes), Error> {
        let unavailable = |reason: String| Error::Unavailable {
            target: self.target_name(),
            reason,
        };
        let (host, token) = match &self.target {
            Target::Unix(_) => ("localhost".to_string(), None),
            Target::Http { authority, token } => (authority.clone(), token.clone()),
        };
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, host);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let has_body = body.is_some();
        if has_body {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| Error::Protocol(e.to_string()))?;
        let resp = match &self.target {
            Target::Unix(path) => {
                let s = UnixStream::connect(path)
                    .await
                    .map_err(|e| unavailable(e.to_string()))?;
                send(TokioIo::new(s), req, limit)
                    .await
                    .map_err(unavailable)?
            }
            Target::Http { authority, .. } => {
                let s = TcpStream::connect(authority)
                    .await
                    .map_err(|e| unavailable(e.to_string()))?;
                let _ = s.set_nodelay(true);
                send(TokioIo::new(s), req, limit)
                    .await
                    .map_err(unavailable)?
            }
        };
        Ok(resp)
    }
}

async fn send<I>(
    io: I,
    req: Request<Full<Bytes>>,
    limit: usize,
) -> Result<(StatusCode, Bytes), String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let body = Limited::new(resp.into_body(), limit)
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

fn api_error(status: StatusCode, body: &[u8]) -> Error {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => Error::Api {
            status: status.as_u16(),
            code: b.error.code,
            message: b.error.message,
            field: b.error.field,
        },
        Err(_) => Error::Api {
            status: status.as_u16(),
            code: "http".into(),
            message: String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned(),
            field: None,
        },
    }
}

fn decode<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, Error> {
    if !status.is_success() {
        return Err(api_error(status, body));
    }
    serde_json::from_slice(body).map_err(|e| Error::Protocol(format!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert!(Client::http("http://127.0.0.1:8080", None).is_ok());
        assert!(Client::http("http://127.0.0.1:8080/", None).is_ok());
        assert!(matches!(
            Client::http("https://x", None),
            Err(Error::BadUrl(_))
        ));
        assert!(matches!(
            Client::http("http://x/y", None),
            Err(Error::BadUrl(_))
        ));
    }
}
