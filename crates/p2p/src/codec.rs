//! A request-response codec for opaque byte payloads with hard size limits.

use std::io;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::{StreamProtocol, request_response};
use prometheus::IntCounterVec;

/// Reads and writes one payload per stream (the stream's end marks the payload's end), refusing
/// anything over `max_request_bytes` / `max_response_bytes` before buffering it whole.
#[derive(Clone)]
pub struct BytesCodec {
    name: &'static str,
    max_request_bytes: usize,
    max_response_bytes: usize,
    rejected: Option<IntCounterVec>,
}

impl BytesCodec {
    /// A codec for the protocol `name` (a metric label) with the given limits.
    pub fn new(name: &'static str, max_request_bytes: usize, max_response_bytes: usize) -> Self {
        Self {
            name,
            max_request_bytes,
            max_response_bytes,
            rejected: None,
        }
    }

    /// Counts oversized inbound payloads in `chorus_p2p_requests_rejected_total`.
    pub(crate) fn with_rejections(mut self, rejected: IntCounterVec) -> Self {
        self.rejected = Some(rejected);
        self
    }

    async fn read_bounded<T: AsyncRead + Unpin + Send>(
        &self,
        io: &mut T,
        limit: usize,
        what: &str,
    ) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        // Read one byte past the limit so an oversized payload is detected, not truncated.
        let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        io.take(cap).read_to_end(&mut buf).await?;
        if buf.len() > limit {
            if let Some(c) = &self.rejected {
                c.with_label_values(&[self.name, "too_large"]).inc();
            }
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} {what} exceeds the limit of {limit} bytes", self.name),
            ));
        }
        Ok(buf)
    }
}

impl request_response::Codec for BytesCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &Self::Protocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        self.read_bounded(io, self.max_request_bytes, "request")
            .await
    }

    async fn read_response<T>(&mut self, _: &Self::Protocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        self.read_bounded(io, self.max_response_bytes, "response")
            .await
    }

    async fn write_request<T>(
        &mut self,
        _: &Self::Protocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        io.write_all(&req).await?;
        io.close().await
    }

    async fn write_response<T>(
        &mut self,
        _: &Self::Protocol,
        io: &mut T,
        res: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        io.write_all(&res).await?;
        io.close().await
    }
}

#[cfg(test)]
mod tests {
    use futures::io::Cursor;
    use libp2p::request_response::Codec;

    use super::*;

    #[tokio::test]
    async fn payload_at_the_limit_passes_and_one_byte_more_is_refused() {
        let mut codec = BytesCodec::new("raft", 8, 8);
        let proto = StreamProtocol::new("/t/1");
        let ok = codec
            .read_request(&proto, &mut Cursor::new(vec![1u8; 8]))
            .await
            .unwrap();
        assert_eq!(ok.len(), 8);
        let err = codec
            .read_request(&proto, &mut Cursor::new(vec![1u8; 9]))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("limit of 8 bytes"), "{err}");
    }
}
