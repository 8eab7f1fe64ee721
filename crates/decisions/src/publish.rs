//! Publishing a record: build, number, commit, DHT put, announce.

use std::time::{SystemTime, UNIX_EPOCH};

use chorus_consensus::{Consistency, Op, Outcome};
use chorus_crypto::RoleRecipient;
use chorus_p2p::Topic;
use chorus_palace::{Command, Response};
use chorus_records::{ADMIN_ROLE, Cid, Draft, Fencing, RoleRecipients, VerifiedRecord};
use chorus_types::{
    fencing::FencingToken,
    ucxl::{Address, Version},
};
use serde::Serialize;
use tracing::{info, instrument, warn};

use crate::{Error, Service};

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
            // Read-your-writes: the versions read below include every record fenced before us.
            consensus
                .read(Consistency::MinIndex(fenced.index), |_| ())
                .await?;
            // Roles are read after the fence too: a role registered before this publication
            // started is always used.
            let recipients = self.recipients(&p.roles).await?;
            let version = self.versions(&key).await?.last().map_or(0, |s| s.version) + 1;
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

    /// The registered recipients of `roles` and `admin`, from the local palace.
    async fn recipients(&self, roles: &[String]) -> Result<RoleRecipients, Error> {
        let mut wanted: Vec<String> = roles.to_vec();
        wanted.push(ADMIN_ROLE.to_owned());
        let found = self
            .read(|d| {
                wanted
                    .iter()
                    .map(|r| {
                        (
                            r.clone(),
                            d.palace
                                .role(r)
                                .map(|x| x.recipients.clone())
                                .unwrap_or_default(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .await?;
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

    /// Puts a committed record in the DHT and announces it.
    async fn spread(&self, record: VerifiedRecord, version: u64, index: u64, term: u64) -> Receipt {
        let cid = record.cid();
        self.remember(cid);
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
