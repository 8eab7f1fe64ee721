//! Shared by the benchmarks: a keep-alive HTTP/1.1 client and percentiles.

#![allow(dead_code)]

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, client::conn::http1::SendRequest};
use hyper_util::rt::TokioIo;

/// One keep-alive connection to `addr`, reconnected after an error.
pub struct Http {
    addr: String,
    token: Option<String>,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Http {
    /// A client for `host:port`.
    pub fn new(addr: &str, token: Option<String>) -> Self {
        Self {
            addr: addr.to_string(),
            token,
            sender: None,
        }
    }

    async fn connect(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let s = tokio::net::TcpStream::connect(&self.addr).await?;
            s.set_nodelay(true)?;
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(s)).await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        self.sender
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("no connection"))
    }

    /// POSTs `body` to `path`; returns the status and body. Errors drop the connection.
    pub async fn post(
        &mut self,
        path: &str,
        body: Vec<u8>,
        timeout: Duration,
    ) -> anyhow::Result<(u16, Bytes)> {
        let res = tokio::time::timeout(timeout, self.post_inner(path, body)).await;
        match res {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => {
                self.sender = None;
                Err(e)
            }
            Err(_) => {
                self.sender = None;
                anyhow::bail!("timeout after {timeout:?}")
            }
        }
    }

    /// GETs `path`; returns the status and body. Errors drop the connection.
    pub async fn get(&mut self, path: &str, timeout: Duration) -> anyhow::Result<(u16, Bytes)> {
        let res = tokio::time::timeout(timeout, self.send(hyper::Method::GET, path, None)).await;
        match res {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => {
                self.sender = None;
                Err(e)
            }
            Err(_) => {
                self.sender = None;
                anyhow::bail!("timeout after {timeout:?}")
            }
        }
    }

    async fn send(
        &mut self,
        method: hyper::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> anyhow::Result<(u16, Bytes)> {
        let host = self.addr.clone();
        let token = self.token.clone();
        let sender = self.connect().await?;
        sender.ready().await?;
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", host);
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = sender
            .send_request(req.body(Full::new(Bytes::from(body.unwrap_or_default())))?)
            .await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    async fn post_inner(&mut self, path: &str, body: Vec<u8>) -> anyhow::Result<(u16, Bytes)> {
        let host = self.addr.clone();
        let token = self.token.clone();
        let sender = self.connect().await?;
        sender.ready().await?;
        let mut req = Request::post(path)
            .header("host", host)
            .header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = sender
            .send_request(req.body(Full::new(Bytes::from(body)))?)
            .await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// Sorts ascending.
pub fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v
}

/// Percentile `p` (0..=1) of sorted values.
pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}
