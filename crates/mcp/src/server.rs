//! The JSON-RPC 2.0 loop: one message per line on the input, one answer per line on the
//! output, every line bounded.

use chorus_client::Client;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// Protocol versions we speak, newest first. A client asking for one of them gets it; any other
/// request gets the newest, and the client decides whether it can go on.
pub const PROTOCOL_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// Longest JSON-RPC message read, in bytes: a drawer's largest content (4 MiB) JSON-escaped,
/// with room to spare. A longer line is answered with a parse error and skipped.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

use crate::tools;

/// Serves MCP on stdin/stdout until stdin closes. Cancel-safe between messages only: dropping it
/// mid-answer may leave a half-written line on stdout.
pub async fn serve_stdio(client: Client) -> std::io::Result<()> {
    serve(client, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves MCP on `input`/`output` until `input` closes. Fails only when reading or writing
/// fails; bad messages are answered, never fatal.
pub async fn serve<R, W>(client: Client, input: R, mut output: W) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    let mut server = Server { client };
    loop {
        let line = match read_line(&mut input).await? {
            Line::Eof => return Ok(()),
            Line::TooLong => Some(error(
                Value::Null,
                PARSE_ERROR,
                &format!("message longer than {MAX_MESSAGE_BYTES} bytes"),
            )),
            Line::Text(t) if t.trim().is_empty() => None,
            Line::Text(t) => server.handle_text(&t).await,
        };
        if let Some(reply) = line {
            let mut bytes = serde_json::to_vec(&reply)?;
            bytes.push(b'\n');
            output.write_all(&bytes).await?;
            output.flush().await?;
        }
    }
}

enum Line {
    Text(String),
    TooLong,
    Eof,
}

/// Reads one line, never holding more than [`MAX_MESSAGE_BYTES`]: the rest of a longer line
/// is discarded.
async fn read_line<R: AsyncRead + Unpin>(r: &mut BufReader<R>) -> std::io::Result<Line> {
    let mut buf = Vec::new();
    let mut too_long = false;
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            if buf.is_empty() && !too_long {
                return Ok(Line::Eof);
            }
            break;
        }
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > MAX_MESSAGE_BYTES + 1 {
                too_long = true;
                buf = Vec::new();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        r.consume(take);
        if done {
            break;
        }
    }
    if too_long {
        return Ok(Line::TooLong);
    }
    Ok(Line::Text(String::from_utf8_lossy(&buf).into_owned()))
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

fn result(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

struct Server {
    client: Client,
}

impl Server {
    /// One line: a message or a batch. Returns the reply, if any.
    async fn handle_text(&mut self, text: &str) -> Option<Value> {
        let msg: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return Some(error(Value::Null, PARSE_ERROR, &format!("not JSON: {e}"))),
        };
        match msg {
            Value::Array(items) => {
                if items.is_empty() {
                    return Some(error(Value::Null, INVALID_REQUEST, "empty batch"));
                }
                let mut out = Vec::new();
                for m in items {
                    if let Some(r) = self.handle(m).await {
                        out.push(r);
                    }
                }
                (!out.is_empty()).then_some(Value::Array(out))
            }
            m => self.handle(m).await,
        }
    }

    /// One message. Notifications (no id) and responses get no reply.
    async fn handle(&mut self, msg: Value) -> Option<Value> {
        let Value::Object(m) = msg else {
            return Some(error(
                Value::Null,
                INVALID_REQUEST,
                "expected a JSON-RPC object",
            ));
        };
        let id = m.get("id").cloned();
        let Some(method) = m.get("method").and_then(Value::as_str) else {
            // A response to a request we never send, or garbage: answer only if it has an id
            // and is not a response.
            if m.contains_key("result") || m.contains_key("error") {
                return None;
            }
            return Some(error(
                id.unwrap_or(Value::Null),
                INVALID_REQUEST,
                "missing `method`",
            ));
        };
        let params = m.get("params");
        let Some(id) = id else {
            // Notifications: initialized, cancelled, progress… nothing to answer.
            return None;
        };
        let reply = match method {
            "initialize" => Ok(initialize(params)),
            "ping" => Ok(json!({})),
            "tools/list" => Ok(json!({"tools": tools::list()})),
            "tools/call" => self.call_tool(params).await,
            "resources/list" => Ok(json!({"resources": []})),
            "prompts/list" => Ok(json!({"prompts": []})),
            other => Err((METHOD_NOT_FOUND, format!("method {other:?} not found"))),
        };
        Some(match reply {
            Ok(r) => result(id, r),
            Err((code, message)) => error(id, code, &message),
        })
    }

    async fn call_tool(&self, params: Option<&Value>) -> Result<Value, (i64, String)> {
        let Some(name) = params.and_then(|p| p.get("name")).and_then(Value::as_str) else {
            return Err((INVALID_PARAMS, "tools/call needs params.name".into()));
        };
        let args = params.and_then(|p| p.get("arguments"));
        Ok(match tools::call(&self.client, name, args).await {
            Ok(v) => json!({
                "content": [{"type": "text", "text": serde_json::to_string_pretty(&v).unwrap_or_default()}],
                "isError": false,
            }),
            Err(message) => json!({
                "content": [{"type": "text", "text": message}],
                "isError": true,
            }),
        })
    }
}

fn initialize(params: Option<&Value>) -> Value {
    let asked = params
        .and_then(|p| p.get("protocolVersion"))
        .and_then(Value::as_str);
    let version = asked
        .filter(|v| PROTOCOL_VERSIONS.contains(v))
        .unwrap_or(PROTOCOL_VERSIONS[0]);
    json!({
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": false}},
        "serverInfo": {"name": "chorus", "version": env!("CARGO_PKG_VERSION")},
        "instructions": "Chorus palace: shared memory for agents. File verbatim text with chorus_add_drawer (wing = agent or project, room = topic), find it with chorus_search, record facts with chorus_kg_add. Writes return an index: pass it as min_index to read your own write on any node.",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exchange(input: &str) -> Vec<Value> {
        let client = Client::unix("/nonexistent/chorus.sock");
        let mut out = Vec::new();
        serve(client, input.as_bytes(), &mut out).await.unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn negotiates_the_protocol_version() {
        let r = exchange(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\"}}\n\
             {\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n\
             {\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"1999-01-01\"}}\n",
        )
        .await;
        assert_eq!(r.len(), 2, "the notification gets no reply: {r:?}");
        assert_eq!(r[0]["result"]["protocolVersion"], "2025-03-26");
        assert_eq!(r[1]["result"]["protocolVersion"], PROTOCOL_VERSIONS[0]);
    }

    #[tokio::test]
    async fn garbage_and_bad_arguments_do_not_crash() {
        let r = exchange(
            "not json\n\
             {\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"}\n\
             {\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"chorus_search\",\"arguments\":{\"bogus\":1}}}\n\
             {\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"chorus_nope\"}}\n\
             {\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}\n",
        )
        .await;
        assert_eq!(r[0]["error"]["code"], PARSE_ERROR);
        assert_eq!(r[1]["error"]["code"], METHOD_NOT_FOUND);
        assert_eq!(r[2]["result"]["isError"], true);
        let text = r[2]["result"]["content"][0]["text"].as_str().unwrap();
        assert!(text.contains("unknown argument `bogus`"), "{text}");
        assert_eq!(r[3]["result"]["isError"], true);
        assert_eq!(r[4]["result"], json!({}));
    }

    #[tokio::test]
    async fn an_oversized_line_is_refused_and_the_next_one_served() {
        let mut input = "x".repeat(MAX_MESSAGE_BYTES + 10);
        input.push('\n');
        input.push_str("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}\n");
        let r = exchange(&input).await;
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0]["error"]["code"], PARSE_ERROR);
        assert_eq!(r[1]["id"], 7);
    }

    #[test]
    fn every_schema_is_a_plain_object() {
        for t in tools::list() {
            let s = &t["inputSchema"];
            assert_eq!(s["type"], "object", "{}", t["name"]);
            assert!(t["name"].as_str().unwrap().starts_with("chorus_"));
            for k in ["anyOf", "oneOf", "allOf"] {
                assert!(s.get(k).is_none(), "{} has {k}", t["name"]);
            }
        }
    }
}
