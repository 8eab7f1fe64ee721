//! Raw HTTP exchanges with a node, normalised and written down as text for comparison.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    time::Duration,
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, header};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpStream, UnixStream};

/// Where a request goes.
#[derive(Clone)]
pub enum Target {
    /// The node's Unix socket.
    Socket(PathBuf),
    /// A TCP port (health or API).
    Tcp(std::net::SocketAddr),
}

/// One answer as it came off the wire.
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// `X-Chorus-Applied-Index`, if any (backups).
    pub applied_header: Option<String>,
    /// The body.
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// How a body is written down.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// As text, normalised.
    Text,
    /// Only its length class: binary or random bytes (a backup file, an armoured record).
    Opaque,
}

/// Sends one request and reads the whole answer.
pub async fn send(
    target: &Target,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> anyhow::Result<Answer> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req.body(Full::new(Bytes::copy_from_slice(body.unwrap_or_default())))?;
    let resp = match target {
        Target::Socket(p) => exchange(TokioIo::new(UnixStream::connect(p).await?), req).await?,
        Target::Tcp(a) => exchange(TokioIo::new(TcpStream::connect(a).await?), req).await?,
    };
    Ok(resp)
}

async fn exchange<I>(io: I, req: Request<Full<Bytes>>) -> anyhow::Result<Answer>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let resp = tokio::time::timeout(Duration::from_secs(60), sender.send_request(req)).await??;
    let head = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = head("content-type");
    let applied_header = head("x-chorus-applied-index");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await?.to_bytes();
    Ok(Answer {
        status,
        content_type,
        applied_header,
        body,
    })
}

/// Strings that differ from run to run, each replaced by a fixed name wherever it appears.
#[derive(Default)]
pub struct Tokens(Vec<(String, String)>);

impl Tokens {
    /// Replaces `value` by `<name>` from now on (longest values are replaced first).
    pub fn add(&mut self, value: impl Into<String>, name: &str) {
        let value = value.into();
        if !value.is_empty() {
            self.0.push((value, format!("<{name}>")));
            self.0.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        }
    }

    fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (v, name) in &self.0 {
            out = out.replace(v, name);
        }
        out
    }

    /// [`Tokens::apply`], and the numbers that vary in an answer zeroed: times, uptimes, BM25
    /// scores (they depend on how the index happened to batch its segments) and the size of
    /// a record envelope (age's ciphertext header varies in length).
    fn apply_answer(&self, text: &str) -> String {
        zero_numbers_after(
            &self.apply(text),
            &[
                "_at_ms\":",
                "\"uptime_seconds\":",
                "\"score\":",
                "\"envelope_bytes\":",
            ],
        )
    }
}

/// Replaces the number that follows any of `markers` with `0`.
fn zero_numbers_after(text: &str, markers: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = markers
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, m.len())))
            .min();
        let Some((i, len)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i + len]);
        rest = &rest[i + len..];
        let digits = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
            .count();
        if digits > 0 {
            out.push('0');
            rest = &rest[digits..];
        }
    }
}

/// The transcript of a scenario.
#[derive(Default)]
pub struct Transcript {
    text: String,
    /// Variable strings to normalise.
    pub tokens: Tokens,
}

impl Transcript {
    /// Sends a request and writes it and its answer down; returns the answer.
    pub async fn call(
        &mut self,
        target: &Target,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
        how: Body,
    ) -> anyhow::Result<Answer> {
        let a = send(target, method, path, headers, body.map(str::as_bytes)).await?;
        let where_ = match target {
            Target::Socket(_) => "socket",
            Target::Tcp(_) => "tcp",
        };
        let _ = writeln!(
            self.text,
            "=== {where_} {method} {}",
            self.tokens.apply(path)
        );
        for (k, v) in headers {
            let _ = writeln!(self.text, "> {k}: {}", self.tokens.apply(v));
        }
        if let Some(b) = body {
            let _ = writeln!(self.text, "> {}", self.tokens.apply(b));
        }
        self.write_answer(&a, how);
        Ok(a)
    }

    /// Writes down an answer to a request sent with [`send`] (when a token in the answer must
    /// be learnt before it is written).
    pub fn record_answer(&mut self, label: &str, a: &Answer) {
        let _ = writeln!(self.text, "=== {label}");
        self.write_answer(a, Body::Text);
    }

    fn write_answer(&mut self, a: &Answer, how: Body) {
        let _ = writeln!(
            self.text,
            "< {} {}{}",
            a.status,
            a.content_type.as_deref().unwrap_or("-"),
            a.applied_header
                .as_deref()
                .map(|h| format!(" applied={h}"))
                .unwrap_or_default()
        );
        match how {
            Body::Text => {
                let text = String::from_utf8_lossy(&a.body);
                let _ = writeln!(self.text, "{}", self.tokens.apply_answer(&text));
            }
            Body::Opaque => {
                let what = if a.body.is_empty() {
                    "<empty>"
                } else {
                    "<opaque body>"
                };
                let _ = writeln!(self.text, "{what}");
            }
        }
    }

    /// Compares with the recording at `path`, or writes it when `CHORUS_BLESS=1`.
    pub fn check(&self, path: &Path) -> anyhow::Result<()> {
        if std::env::var("CHORUS_BLESS").as_deref() == Ok("1") {
            std::fs::write(path, &self.text)?;
            return Ok(());
        }
        let want = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "{}: {e} (record it with CHORUS_BLESS=1 on a known-good build)",
                path.display()
            )
        })?;
        if want == self.text {
            return Ok(());
        }
        let got_path = std::env::temp_dir().join("chorus-api-golden.actual.txt");
        let _ = std::fs::write(&got_path, &self.text);
        let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), self.text.lines().collect());
        let first = w
            .iter()
            .zip(&g)
            .position(|(a, b)| a != b)
            .unwrap_or(w.len().min(g.len()));
        let from = first.saturating_sub(6);
        anyhow::bail!(
            "the API answered differently from {} at line {}:\n--- recorded\n{}\n--- now\n{}\n\
             (whole answer in {})",
            path.display(),
            first + 1,
            w[from..w.len().min(first + 3)].join("\n"),
            g[from..g.len().min(first + 3)].join("\n"),
            got_path.display()
        )
    }
}
