//! Content-addressed values in the cluster's Kademlia DHT.
//!
//! A value's key is `/chorus/<cluster>/cid/` followed by the SHA-256 of the value, so a key
//! names exactly one value: a peer can neither overwrite a value nor store one under a key it
//! does not hash to. Values from peers are checked before they are stored (inbound records are
//! filtered) and before they are returned to the application; sizes are bounded on both paths.

use libp2p::kad::{
    self, GetRecordOk, InboundRequest, PeerRecord, QueryId, QueryResult, Quorum, Record, RecordKey,
    store::RecordStore,
};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;
use tracing::debug;

use super::EventLoop;
use crate::DhtError;

/// A DHT query whose caller waits for its outcome.
pub(super) enum Pending {
    Put {
        hash: [u8; 32],
        reply: oneshot::Sender<Result<[u8; 32], DhtError>>,
    },
    Get {
        hash: [u8; 32],
        reply: oneshot::Sender<Result<Vec<u8>, DhtError>>,
    },
}

/// The DHT key of the value whose SHA-256 is `hash`.
pub(super) fn key_of(cluster: &str, hash: &[u8; 32]) -> RecordKey {
    let mut k = format!("/chorus/{cluster}/cid/").into_bytes();
    k.extend_from_slice(hash);
    RecordKey::new(&k)
}

impl EventLoop {
    fn dht_busy(&self) -> Option<DhtError> {
        let limit = self.config.limits.max_dht_queries;
        (self.pending_dht.len() >= limit).then_some(DhtError::Busy { limit })
    }

    pub(super) fn dht_put(
        &mut self,
        value: Vec<u8>,
        reply: oneshot::Sender<Result<[u8; 32], DhtError>>,
    ) {
        let limit = self.config.limits.max_dht_value_bytes;
        if value.len() > limit {
            let _ = reply.send(Err(DhtError::TooLarge {
                size: value.len(),
                limit,
            }));
            return;
        }
        if let Some(e) = self.dht_busy() {
            let _ = reply.send(Err(e));
            return;
        }
        let hash: [u8; 32] = Sha256::digest(&value).into();
        let key = key_of(&self.config.cluster, &hash);
        let Some(kad) = self.swarm.behaviour_mut().kad.as_mut() else {
            let _ = reply.send(Err(DhtError::Disabled));
            return;
        };
        match kad.put_record(Record::new(key, value), Quorum::One) {
            Ok(id) => {
                self.pending_dht.insert(id, Pending::Put { hash, reply });
            }
            Err(e) => {
                let _ = reply.send(Err(DhtError::Store(e.to_string())));
            }
        }
    }

    pub(super) fn dht_get(
        &mut self,
        hash: [u8; 32],
        reply: oneshot::Sender<Result<Vec<u8>, DhtError>>,
    ) {
        if let Some(e) = self.dht_busy() {
            let _ = reply.send(Err(e));
            return;
        }
        let key = key_of(&self.config.cluster, &hash);
        let Some(kad) = self.swarm.behaviour_mut().kad.as_mut() else {
            let _ = reply.send(Err(DhtError::Disabled));
            return;
        };
        let id = kad.get_record(key);
        self.pending_dht.insert(id, Pending::Get { hash, reply });
    }

    /// Every value this node's DHT store holds, for inspection (bounded by `max_dht_records`).
    pub(super) fn dht_local_values(&mut self) -> Vec<Vec<u8>> {
        match self.swarm.behaviour_mut().kad.as_mut() {
            Some(kad) => kad.store_mut().records().map(|r| r.value.clone()).collect(),
            None => Vec::new(),
        }
    }

    /// Whether `record` is a value of ours: within the size limit and under its own hash.
    fn dht_valid(&self, record: &Record) -> Option<[u8; 32]> {
        if record.value.len() > self.config.limits.max_dht_value_bytes {
            return None;
        }
        let hash: [u8; 32] = Sha256::digest(&record.value).into();
        (record.key == key_of(&self.config.cluster, &hash)).then_some(hash)
    }

    pub(super) fn on_kad(&mut self, ev: kad::Event) {
        match ev {
            kad::Event::InboundRequest {
                request:
                    InboundRequest::PutRecord {
                        source,
                        record: Some(record),
                        ..
                    },
            } => {
                if self.dht_valid(&record).is_none() {
                    debug!(peer = %source, "dht value refused: key is not its hash or too large");
                    self.metrics
                        .requests_rejected
                        .with_label_values(&["dht", "bad_value"])
                        .inc();
                    return;
                }
                if let Some(kad) = self.swarm.behaviour_mut().kad.as_mut()
                    && let Err(e) = kad.store_mut().put(record)
                {
                    debug!(peer = %source, error = %e, "dht value not stored");
                    self.metrics
                        .requests_rejected
                        .with_label_values(&["dht", "store_full"])
                        .inc();
                }
            }
            kad::Event::OutboundQueryProgressed { id, result, .. } => {
                self.on_query_progress(id, result)
            }
            _ => {}
        }
    }

    fn on_query_progress(&mut self, id: QueryId, result: QueryResult) {
        match result {
            QueryResult::GetRecord(Ok(GetRecordOk::FoundRecord(PeerRecord { record, peer }))) => {
                let Some(Pending::Get { hash, .. }) = self.pending_dht.get(&id) else {
                    return;
                };
                if self.dht_valid(&record) != Some(*hash) {
                    debug!(?peer, "dht value refused: does not hash to its key");
                    self.metrics
                        .requests_rejected
                        .with_label_values(&["dht", "bad_value"])
                        .inc();
                    return;
                }
                if let Some(Pending::Get { reply, .. }) = self.pending_dht.remove(&id) {
                    let _ = reply.send(Ok(record.value));
                }
                // Quorum one: the first valid value answers; stop asking others.
                if let Some(kad) = self.swarm.behaviour_mut().kad.as_mut()
                    && let Some(mut q) = kad.query_mut(&id)
                {
                    q.finish();
                }
            }
            QueryResult::GetRecord(outcome) => {
                if let Some(Pending::Get { hash, reply }) = self.pending_dht.remove(&id) {
                    let key = hex::encode(hash);
                    let err = match outcome {
                        Err(kad::GetRecordError::Timeout { .. }) => DhtError::Timeout {
                            op: "get",
                            key,
                            timeout: self.config.limits.dht_timeout,
                        },
                        _ => DhtError::NotFound { key },
                    };
                    let _ = reply.send(Err(err));
                }
            }
            QueryResult::PutRecord(outcome) => {
                if let Some(Pending::Put { hash, reply }) = self.pending_dht.remove(&id) {
                    let res = match outcome {
                        Ok(_) => Ok(hash),
                        Err(e) => Err(DhtError::NotReplicated {
                            key: hex::encode(hash),
                            reason: e.to_string(),
                        }),
                    };
                    let _ = reply.send(res);
                }
            }
            _ => {}
        }
    }
}
