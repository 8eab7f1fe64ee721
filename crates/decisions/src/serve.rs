//! Serving `/chorus/<cluster>/records/1`: record fetches, and the admin challenge on the leader.

use chorus_p2p::InboundRequest;
use chorus_records::Cid;
use tokio::sync::mpsc;
use tracing::debug;

use crate::{Service, wire};

impl Service {
    pub(crate) async fn serve_loop(self, mut inbound: mpsc::Receiver<InboundRequest>) {
        while let Some(req) = inbound.recv().await {
            // Dropping the reply refuses the request; bounded like receipts.
            let Ok(permit) = self.inner.serving.try_acquire() else {
                debug!(peer = %req.peer, "records request refused: too many in flight");
                continue;
            };
            permit.forget();
            let this = self.clone();
            self.spawn(async move {
                let reply = this.answer(req.peer, &req.data).await;
                this.inner.serving.add_permits(1);
                let _ = req.reply.send(wire::encode(&reply));
            });
        }
    }

    async fn answer(&self, peer: chorus_p2p::PeerId, data: &[u8]) -> wire::Reply {
        let request = match wire::decode::<wire::Request>(data) {
            Ok(r) => r,
            Err(e) => return wire::Reply::Refused(format!("malformed request: {e}")),
        };
        match request {
            wire::Request::Fetch(cid) => {
                let key = Cid::from_bytes(cid).to_string();
                match self
                    .read(|d| d.palace.record(&key).map(|r| r.envelope.clone()))
                    .await
                {
                    Ok(Some(bytes)) => wire::Reply::Envelope(bytes),
                    _ => wire::Reply::NotFound,
                }
            }
            wire::Request::Prepare {
                key,
                roles,
                min_index,
            } => match self.prepare_local(&key, &roles, min_index).await {
                Ok((latest, roles)) => wire::Reply::Prepared { latest, roles },
                Err(e) => wire::Reply::Refused(e.to_string()),
            },
            wire::Request::RoleChallenge { role, recipients } => {
                match self.issue_challenge(&role, &recipients).await {
                    Ok((id, ciphertext)) => wire::Reply::Challenge { id, ciphertext },
                    Err(e) => wire::Reply::Refused(e.to_string()),
                }
            }
            wire::Request::RoleProof { id, nonce } => {
                debug!(%peer, id, "role change proof received");
                match self.complete_challenge(id, nonce).await {
                    Ok((index, term)) => wire::Reply::RoleSet { index, term },
                    Err(e) => wire::Reply::Refused(e.to_string()),
                }
            }
        }
    }
}
