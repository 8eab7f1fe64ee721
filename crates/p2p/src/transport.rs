//! TCP, optionally inside a private network keyed by the cluster secret, then Noise and Yamux.

use std::{io, time::Duration};

use futures::{AsyncReadExt, AsyncWriteExt};
use libp2p::{
    PeerId, Transport,
    core::{muxing::StreamMuxerBox, transport::Boxed, upgrade::Version},
    identity::Keypair,
    noise,
    pnet::{PnetConfig, PreSharedKey},
    tcp, yamux,
};
use prometheus::IntCounterVec;
use sha2::{Digest, Sha256};

/// Bytes both sides send right after the private-network handshake. The pnet layer itself cannot
/// tell a wrong key from line noise; this check makes a mismatch a named, counted refusal
/// instead of an obscure failure further up the stack.
const PSK_MAGIC: &[u8; 16] = b"chorus-pnet-ok/1";

/// How long a connection may take from TCP accept to a multiplexed, authenticated session.
const UPGRADE_TIMEOUT: Duration = Duration::from_secs(10);

/// Derives the 32-byte private-network key from the cluster secret file's contents.
///
/// Surrounding whitespace is ignored so a trailing newline in a secret file does not split a
/// cluster. The derivation is domain-separated so the same secret used elsewhere yields an
/// unrelated key.
pub fn psk_from_secret(secret: &[u8]) -> [u8; 32] {
    let trimmed = secret.trim_ascii();
    let mut h = Sha256::new();
    h.update(b"chorus/pnet/v1\0");
    h.update(trimmed);
    h.finalize().into()
}

/// Builds the transport. `refused` counts connections refused at the private-network stage.
pub(crate) fn build(
    keypair: &Keypair,
    psk: Option<[u8; 32]>,
    refused: IntCounterVec,
) -> Result<Boxed<(PeerId, StreamMuxerBox)>, noise::Error> {
    let tcp = tcp::tokio::Transport::new(tcp::Config::default().nodelay(true));
    let noise = noise::Config::new(keypair)?;
    let yamux = yamux::Config::default();
    let transport = match psk {
        None => tcp
            .upgrade(Version::V1Lazy)
            .authenticate(noise)
            .multiplex(yamux)
            .timeout(UPGRADE_TIMEOUT)
            .boxed(),
        Some(key) => {
            let key = PreSharedKey::new(key);
            tcp.and_then(move |socket, endpoint| {
                let refused = refused.clone();
                let direction = if endpoint.is_dialer() {
                    "outbound"
                } else {
                    "inbound"
                };
                async move {
                    match psk_handshake(key, socket).await {
                        Ok(s) => Ok(s),
                        Err(e) => {
                            refused
                                .with_label_values(&[direction, "cluster_secret"])
                                .inc();
                            Err(e)
                        }
                    }
                }
            })
            .upgrade(Version::V1Lazy)
            .authenticate(noise)
            .multiplex(yamux)
            .timeout(UPGRADE_TIMEOUT)
            .boxed()
        }
    };
    Ok(transport
        .map(|(peer, muxer), _| (peer, StreamMuxerBox::new(muxer)))
        .boxed())
}

async fn psk_handshake<S>(key: PreSharedKey, socket: S) -> io::Result<libp2p::pnet::PnetOutput<S>>
where
    S: futures::AsyncRead + futures::AsyncWrite + Send + Unpin + 'static,
{
    let mut out = PnetConfig::new(key)
        .handshake(socket)
        .await
        .map_err(|e| io::Error::new(io::ErrorKind::PermissionDenied, format!("pnet: {e}")))?;
    out.write_all(PSK_MAGIC).await?;
    out.flush().await?;
    let mut seen = [0u8; 16];
    out.read_exact(&mut seen).await.map_err(|e| {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("cluster secret check: {e}"),
        )
    })?;
    if &seen != PSK_MAGIC {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the peer does not hold our cluster secret",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_ignores_surrounding_whitespace_but_not_content() {
        assert_eq!(psk_from_secret(b"s3cret\n"), psk_from_secret(b"s3cret"));
        assert_ne!(psk_from_secret(b"s3cret"), psk_from_secret(b"s3cret2"));
    }
}
