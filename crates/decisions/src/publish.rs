//! Publishing a record: build, number, commit, DHT put, announce.

use std::time::{SystemTime, UNIX_EPOCH};

use chorus_consensus::{Consistency, Op, Outcome};
use chorus_crypto::RoleRecipient;
use chorus_p2p::{Protocol, Topic};
use chorus_palace::{Command, Response};
use chorus_records::{
    ADMIN_ROLE, Cid, Draft, Fencing, MAX_RECIPIENT_ROLES, RoleRecipients, VerifiedRecord,
};
use chorus_types::{
    fencing::FencingToken,
    ucxl::{Address, Version},
};
use serde::Serialize;
use tracing::{debug, info, instrument, warn};

use crate::{Error, Service, wire};

/// What to publish.
#[derive(Debug, Clone)]
pub struct Publish {
    /// Where: its version selector is ignored; the next version under the address is used.
    pub address: Address,
    /// Roles that may read the body (`admin` is always added).
    pub roles: Vec<String>,
    /// Media type of the body.
    pub content_type: String,
    /// The plaintext body; only its ciphertext leaves this call.
    pub body: Vec<u8>,
    /// The task the record belongs to, if any.
    pub task: Option<String>,
    /// Records this one follows from.
    pub parents: Vec<Cid>,
}

/// What a publication did.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// Content id.
    pub cid: String,
    /// The address with its version, `…/*N/…`.
    pub address: String,
    /// The version under the address key.
    pub version: u64,
    /// Log index of the palace entry.
    pub index: u64,
    /// Term of the palace entry.
    pub term: u64,
    /// `replicated` (on this node and at least one peer), `local` (this node only) or the
    /// error that kept it out of the DHT.
    pub dht: String,
    /// Whether the announcement went out on `decisions/1` (false when no peer listens yet).
    pub announced: bool,
}

/// Role names with their registered recipient strings.
pub(crate) type RoleLists = Vec<(String, Vec<String>)>;

/// The latest version stored under `key` (0 when none), paging through the palace index.
fn latest_version(d: &chorus_consensus::store::SmData, key: &str) -> Result<u64, Error> {
    let mut cursor: Option<String> = None;
    let mut latest = 0;
    // Bounded like every scan: 100 pages of 1000 versions.
    for _ in 0..100 {
        let page = d
            .palace
            .record_versions(key, 1000, cursor.as_deref())
            .map_err(|e| Error::Palace(e.to_string()))?;
        latest = page.items.last().map_or(latest, |s| s.version);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(latest)
}

fn parse_recipients(found: RoleLists) -> Result<RoleRecipients, Error> {
    let mut out = RoleRecipients::new();
    for (role, list) in found {
        let mut parsed = Vec::new();
        for r in list {
            let rr = r.parse::<RoleRecipient>().map_err(|e| {
                Error::Palace(format!("role {role}: registered recipient unusable: {e}"))
            })?;
            parsed.push(rr);
        }
        out.insert(role, parsed);
    }
    Ok(out)
}

/// The fencing resource of an address key: publications to one address are serialised by it,
/// so two writers can never number two records with the same version.
pub(crate) fn resource(key: &str) -> String {
    format!("record/{key}")
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Service {
    /// Publishes a record (DESIGN §7). Steps: take a fencing token for the address, read the
    /// latest version, build the record as version N+1 (signed with the node key, encrypted
    /// to the listed roles and `admin`), commit it to the palace under the token (a newer
    /// token taken by another writer meanwhile makes this attempt stale and it starts over,
    /// up to `max_publish_attempts`), put it in the DHT and announce it on `decisions/1`.
    /// The palace commit is the publication; DHT and gossip failures are reported in the
    /// receipt, not as errors. Not cancel-safe past the commit: dropping the future may leave
    /// the record committed but not announced.
    #[instrument(skip_all, fields(address = %p.address))]
    pub async fn publish(&self, p: Publish) -> Result<Receipt, Error> {
        let res = self.publish_inner(p).await;
        let outcome = if res.is_ok() { "ok" } else { "failed" };
        self.inner
            .metrics
            .published
            .with_label_values(&[outcome])
            .inc();
        res
    }

    async fn publish_inner(&self, p: Publish) -> Result<Receipt, Error> {
        let key = p.address.key();
        let res = resource(&key);
        let consensus = &self.inner.consensus;
        for attempt in 1..=self.inner.config.max_publish_attempts {
            let fenced = consensus
                .write(
                    Op::Fence {
                        resource: res.clone(),
                    },
                    None,
                )
                .await?;
            let Outcome::Fenced(token) = fenced.outcome else {
                return Err(Error::Palace(format!(
                    "fence: unexpected {:?}",
                    fenced.outcome
                )));
            };
            // Read-your-writes: the latest version and the role recipients are read at or after
            // the fence entry, so they include every record fenced and every role registered
            // before it. The leader has applied it already; a follower would wait for the next
            // heartbeat to learn it is committed, so it asks the leader.
            let (latest, found) = self.prepare(&key, &p.roles, fenced.index).await?;
            let recipients = parse_recipients(found)?;
            let version = latest + 1;
            let record = self.build(&p, version, token, &recipients)?;
            let command = Command::RecordPut {
                cid: record.cid().to_string(),
                address_key: key.clone(),
                author: self.peer_id().to_owned(),
                created_at_ms: record.header().created_at_ms,
                envelope: record.as_bytes().to_vec(),
            };
            let reply = consensus
                .write(
                    Op::Fenced {
                        resource: res.clone(),
                        token,
                        command,
                    },
                    None,
                )
                .await?;
            match reply.outcome {
                Outcome::Palace(Ok(Response::RecordStored { version: v, .. })) if v == version => {
                    return Ok(self.spread(record, version, reply.index, reply.term).await);
                }
                Outcome::Palace(Ok(other)) => {
                    return Err(Error::Palace(format!(
                        "stored as {other:?}, expected version {version}"
                    )));
                }
                Outcome::Palace(Err(e)) => return Err(Error::Palace(e.to_string())),
                Outcome::StaleToken { .. } => {
                    info!(attempt, "another writer fenced the address first; retrying");
                }
                other => return Err(Error::Palace(format!("unexpected outcome {other:?}"))),
            }
        }
        Err(Error::Refused(format!(
            "address {key}: other writers kept publishing to it; gave up after {} attempts",
            self.inner.config.max_publish_attempts
        )))
    }

    fn build(
        &self,
        p: &Publish,
        version: u64,
        token: FencingToken,
        recipients: &RoleRecipients,
    ) -> Result<VerifiedRecord, Error> {
        let address = p
            .address
            .with_version(Version::Nth(version))
            .map_err(|e| Error::invalid("address", &p.address.to_string(), e.to_string()))?;
        let draft = Draft {
            address,
            created_at_ms: now_ms(),
            task: p.task.clone(),
            fencing: Some(Fencing {
                term: token.term,
                index: token.index,
            }),
            parents: p.parents.clone(),
            recipient_roles: p.roles.clone(),
            content_type: p.content_type.clone(),
            body: &p.body,
        };
        Ok(chorus_records::build(
            &draft,
            &self.inner.signer,
            recipients,
            &self.inner.limits,
        )?)
    }

    /// The latest version of `key` and the registered recipients of `roles` and `admin`, as of
    /// index `min_index` or later: from the leader, or from this node's palace when it leads or
    /// the leader cannot be asked.
    async fn prepare(
        &self,
        key: &str,
        roles: &[String],
        min_index: u64,
    ) -> Result<(u64, RoleLists), Error> {
        let status = self.inner.consensus.status();
        if !status.is_leader
            && let Some(leader) = status.leader_peer_id.and_then(|p| p.parse().ok())
        {
            let ask = wire::Request::Prepare {
                key: key.to_owned(),
                roles: roles.to_vec(),
                min_index,
            };
            let call = self
                .inner
                .p2p
                .request(leader, Protocol::Records, wire::encode(&ask));
            match tokio::time::timeout(self.inner.config.fetch_timeout, call).await {
                Ok(Ok(bytes)) => match wire::decode::<wire::Reply>(&bytes) {
                    Ok(wire::Reply::Prepared { latest, roles }) => return Ok((latest, roles)),
                    other => debug!(?other, "leader did not prepare; reading locally"),
                },
                Ok(Err(e)) => debug!(error = %e, "leader not reachable; reading locally"),
                Err(_) => debug!("leader did not answer; reading locally"),
            }
        }
        self.prepare_local(key, roles, min_index).await
    }

    /// [`Service::prepare`] on this node's palace, waiting (bounded) until it applied
    /// `min_index`.
    pub(crate) async fn prepare_local(
        &self,
        key: &str,
        roles: &[String],
        min_index: u64,
    ) -> Result<(u64, RoleLists), Error> {
        if roles.len() > MAX_RECIPIENT_ROLES {
            return Err(Error::invalid(
                "roles",
                &roles.len().to_string(),
                format!("at most {MAX_RECIPIENT_ROLES} roles"),
            ));
        }
        let mut wanted: Vec<String> = roles.to_vec();
        wanted.push(ADMIN_ROLE.to_owned());
        let (res, _) = self
            .inner
            .consensus
            .read(Consistency::MinIndex(min_index), |d| {
                let found: RoleLists = wanted
                    .iter()
                    .map(|r| {
                        let list = d.palace.role(r).map(|x| x.recipients.clone());
                        (r.clone(), list.unwrap_or_default())
                    })
                    .collect();
                latest_version(d, key).map(|v| (v, found))
            })
            .await?;
        res
    }

    /// Puts a committed record in the DHT and announces it.    /// Puts a committed record in the DHT and announces it.
    async fn spread(&self, record: VerifiedRecord, version: u64, index: u64, term: u64) -> Receipt {
        let cid = record.cid();
        self.remember(&record.announcement());
        let dht = match self.inner.p2p.dht_put(record.as_bytes().to_vec()).await {
            Ok(_) => "replicated".to_owned(),
            Err(chorus_p2p::DhtError::NotReplicated { .. }) => "local".to_owned(),
            Err(e) => {
                warn!(%cid, error = %e, "record not put in the DHT");
                e.to_string()
            }
        };
        let announcement = record.announcement();
        let announced = match serde_json::to_vec(&announcement) {
            Ok(data) => match self.inner.p2p.publish(Topic::Decisions, data).await {
                Ok(()) => true,
                Err(e) => {
                    warn!(%cid, error = %e, "record announcement not sent");
                    false
                }
            },
            Err(_) => false,
        };
        info!(%cid, version, dht, announced, "record published");
        Receipt {
            cid: cid.to_string(),
            address: record.header().address.to_string(),
            version,
            index,
            term,
            dht,
            announced,
        }
    }
}
