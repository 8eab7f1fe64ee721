//! Receiving announcements on `decisions/1`: fetch, verify, then let gossipsub forward.

use chorus_p2p::{Event, GossipMessage, Topic, Validation};
use chorus_records::Announcement;
use tokio::sync::broadcast;
use tracing::{debug, warn};

use crate::{Service, metrics};

impl Service {
    pub(crate) async fn receive_loop(self, mut events: broadcast::Receiver<Event>) {
        loop {
            match events.recv().await {
                Ok(Event::Gossip(msg)) if msg.topic == Topic::Decisions => {
                    self.on_announcement(*msg)
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    warn!(missed = n, "records service fell behind the mesh events");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    }

    fn on_announcement(&self, msg: GossipMessage) {
        let Some(token) = msg.validation.clone() else {
            return;
        };
        let p2p = self.inner.p2p.clone();
        let verdict = move |v| {
            let p2p = p2p.clone();
            let token = token.clone();
            async move {
                let _ = p2p.report_validation(token, v).await;
            }
        };
        let announcement = match serde_json::from_slice::<Announcement>(&msg.data) {
            Ok(a) => a,
            Err(e) => {
                debug!(error = %e, "malformed record announcement");
                self.count_rejection(metrics::ANNOUNCEMENT);
                tokio::spawn(verdict(Validation::Reject));
                return;
            }
        };
        if self.seen(&announcement) {
            self.inner
                .metrics
                .received
                .with_label_values(&["duplicate"])
                .inc();
            tokio::spawn(verdict(Validation::Accept));
            return;
        }
        let Ok(permit) = self.inner.receipts.try_acquire() else {
            self.inner
                .metrics
                .received
                .with_label_values(&["busy"])
                .inc();
            tokio::spawn(verdict(Validation::Ignore));
            return;
        };
        // The permit is a borrow of the service; re-acquire an owned count inside the task.
        permit.forget();
        let this = self.clone();
        let hints: Vec<_> = msg.source.into_iter().chain([msg.propagated_by]).collect();
        self.spawn(async move {
            let v = this.check(&announcement, &hints).await;
            this.inner.receipts.add_permits(1);
            verdict(v).await;
        });
    }

    /// Fetches and verifies an announced record; the verdict decides whether gossipsub
    /// forwards the announcement.
    async fn check(&self, a: &Announcement, hints: &[chorus_p2p::PeerId]) -> Validation {
        let fetched = match self.get(a.cid, hints).await {
            Ok(f) => f,
            Err(crate::Error::NotFound { .. }) => {
                self.count_rejection(metrics::UNAVAILABLE);
                return Validation::Ignore;
            }
            // Rejections were counted by reason in `get`.
            Err(e) => {
                debug!(cid = %a.cid, error = %e, "announced record rejected");
                return Validation::Reject;
            }
        };
        let h = fetched.record.header();
        if h.address != a.address || h.author_peer_id != a.author {
            debug!(cid = %a.cid, "announcement disagrees with the record it names");
            self.count_rejection(metrics::ANNOUNCEMENT);
            return Validation::Reject;
        }
        self.remember(a);
        self.inner.verified.send_modify(|n| *n += 1);
        self.inner
            .metrics
            .received
            .with_label_values(&[fetched.source.label()])
            .inc();
        debug!(cid = %a.cid, source = fetched.source.label(), "record received and verified");
        Validation::Accept
    }
}
