//! Fetching records by cid or by address and version, and decrypting with this node's roles.

use chorus_p2p::{PeerId, Protocol};
use chorus_palace::{Page, RecordSummary};
use chorus_records::{Cid, VerifiedRecord};
use chorus_types::ucxl::{Address, Version};
use serde::Serialize;
use tracing::debug;

use crate::{Error, Service, wire};

/// Where a fetched record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// This node's palace copy.
    Palace,
    /// The cluster DHT.
    Dht,
    /// A peer over `/chorus/<cluster>/records/1`.
    Peer,
}

impl Source {
    /// Metric label.
    pub fn label(self) -> &'static str {
        match self {
            Source::Palace => "palace",
            Source::Dht => "dht",
            Source::Peer => "peer",
        }
    }
}

/// A verified record and where it came from.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The record.
    pub record: VerifiedRecord,
    /// Where it came from.
    pub source: Source,
    /// Its version under its address key, when the palace holds it.
    pub version: Option<u64>,
}

/// Most pages scanned when listing versions or filtering records (1000 records a page).
const MAX_SCAN_PAGES: usize = 100;
const PAGE: usize = 1000;

impl Service {
    /// Fetches a record by cid: this node's palace, else the DHT, else peers (`hints` first).
    /// Whatever the source, the bytes are verified before they are returned; a record that
    /// fails is counted in `chorus_records_rejected_total` and reported. Cancel-safe (reads
    /// only).
    pub async fn get(&self, cid: Cid, hints: &[PeerId]) -> Result<Fetched, Error> {
        let (bytes, source, version) = self.fetch_bytes(cid, hints).await?;
        let record = self.verify(&bytes, Some(cid))?;
        Ok(Fetched {
            record,
            source,
            version,
        })
    }

    /// Verifies record bytes (and, if given, that they are the record `cid`), counting a
    /// rejection by reason.
    pub fn verify(&self, bytes: &[u8], cid: Option<Cid>) -> Result<VerifiedRecord, Error> {
        match chorus_records::verify_with(bytes, &self.inner.limits) {
            Ok(r) if cid.is_none_or(|c| c == r.cid()) => Ok(r),
            Ok(r) => {
                self.count_rejection(crate::metrics::ANNOUNCEMENT);
                Err(Error::invalid(
                    "cid",
                    &r.cid().to_string(),
                    format!(
                        "the record {} asked for",
                        cid.map(|c| c.to_string()).unwrap_or_default()
                    ),
                ))
            }
            Err(rejection) => {
                self.count_rejection(rejection.reason());
                Err(Error::Rejected {
                    cid: cid.unwrap_or_else(|| Cid::of(bytes)).to_string(),
                    rejection,
                })
            }
        }
    }

    /// Counts a rejection in `chorus_records_rejected_total{reason}` (for records verified
    /// outside [`Service::verify`], such as exported files).
    pub fn count_rejection(&self, reason: &str) {
        self.inner
            .metrics
            .rejected
            .with_label_values(&[reason])
            .inc();
    }

    async fn fetch_bytes(
        &self,
        cid: Cid,
        hints: &[PeerId],
    ) -> Result<(Vec<u8>, Source, Option<u64>), Error> {
        let key = cid.to_string();
        let local = self
            .read(|d| {
                d.palace
                    .record(&key)
                    .map(|r| (r.envelope.clone(), r.version))
            })
            .await
            .ok()
            .flatten();
        if let Some((bytes, version)) = local {
            return Ok((bytes, Source::Palace, Some(version)));
        }
        let timeout = self.inner.config.fetch_timeout;
        match tokio::time::timeout(timeout, self.inner.p2p.dht_get(*cid.as_bytes())).await {
            Ok(Ok(bytes)) => return Ok((bytes, Source::Dht, None)),
            Ok(Err(e)) => debug!(%cid, error = %e, "record not in the DHT"),
            Err(_) => debug!(%cid, "DHT fetch timed out"),
        }
        let me = self.inner.p2p.local_peer_id();
        let mut peers: Vec<PeerId> = hints.iter().copied().filter(|p| *p != me).collect();
        for p in self.inner.p2p.connected_members().iter() {
            if !peers.contains(p) {
                peers.push(*p);
            }
        }
        let request = wire::encode(&wire::Request::Fetch(*cid.as_bytes()));
        for peer in peers.into_iter().take(self.inner.config.max_fetch_peers) {
            let ask = self
                .inner
                .p2p
                .request(peer, Protocol::Records, request.clone());
            match tokio::time::timeout(timeout, ask).await {
                Ok(Ok(reply)) => match wire::decode::<wire::Reply>(&reply) {
                    Ok(wire::Reply::Envelope(bytes)) if Cid::of(&bytes) == cid => {
                        return Ok((bytes, Source::Peer, None));
                    }
                    Ok(wire::Reply::Envelope(_)) => {
                        self.count_rejection(crate::metrics::ANNOUNCEMENT);
                        debug!(%peer, %cid, "peer sent bytes that are not the record asked for");
                    }
                    _ => {}
                },
                Ok(Err(e)) => debug!(%peer, error = %e, "record fetch failed"),
                Err(_) => debug!(%peer, "record fetch timed out"),
            }
        }
        Err(Error::NotFound {
            what: format!("record {cid}"),
        })
    }

    /// Resolves an address's version selector against the palace: `*N` is version N, `*^` the
    /// latest, `~~N` the Nth before the latest. Returns the cid and version. Cancel-safe.
    pub async fn resolve(&self, address: &Address) -> Result<(Cid, u64), Error> {
        let key = address.key();
        let versions = self.versions(&key).await?;
        let latest = versions.last().map(|s| s.version).unwrap_or(0);
        let want = match address.version() {
            Version::Latest => latest,
            Version::Nth(n) => n,
            Version::BeforeLatest(n) => latest.saturating_sub(n),
        };
        let found = versions
            .iter()
            .find(|s| s.version == want && want > 0)
            .ok_or_else(|| Error::NotFound {
                what: format!("record {address} (the palace holds {latest} version(s) of {key})"),
            })?;
        let cid = found
            .cid
            .parse::<Cid>()
            .map_err(|e| Error::Palace(e.to_string()))?;
        Ok((cid, found.version))
    }

    /// Fetches the record an address selects. Cancel-safe.
    pub async fn get_address(&self, address: &Address) -> Result<Fetched, Error> {
        let (cid, version) = self.resolve(address).await?;
        let mut f = self.get(cid, &[]).await?;
        f.version = Some(version);
        Ok(f)
    }

    /// Every version of an address key, oldest first (bounded scan). Cancel-safe.
    pub async fn versions(&self, key: &str) -> Result<Vec<RecordSummary>, Error> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_SCAN_PAGES {
            let c = cursor.clone();
            let page: Page<RecordSummary> = self
                .read(|d| d.palace.record_versions(key, PAGE, c.as_deref()))
                .await?
                .map_err(|e| Error::Palace(e.to_string()))?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }

    /// Records in the palace, optionally only those of `project` and `task` (bounded scan of
    /// at most 100 000 records; at most `limit` returned). Cancel-safe.
    pub async fn list(
        &self,
        project: Option<&str>,
        task: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RecordSummary>, Error> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_SCAN_PAGES {
            let c = cursor.clone();
            let page: Page<RecordSummary> = self
                .read(|d| d.palace.records("", PAGE, c.as_deref()))
                .await?
                .map_err(|e| Error::Palace(e.to_string()))?;
            for s in page.items {
                let (p, t) = project_task(&s.address_key);
                if project.is_none_or(|want| want == p) && task.is_none_or(|want| want == t) {
                    out.push(s);
                    if out.len() >= limit {
                        return Ok(out);
                    }
                }
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }

    /// Decrypts a record with the role identities this node holds. The plaintext goes only to
    /// the caller. Fails with [`Error::Refused`] when this node holds none of the record's
    /// recipient roles. Cancel-safe.
    pub async fn decrypt(&self, cid: Cid) -> Result<(Fetched, Vec<u8>), Error> {
        let fetched = self.get(cid, &[]).await?;
        let identities: Vec<_> = self.identities()?.into_iter().map(|(_, i)| i).collect();
        let plain = chorus_records::decrypt(&fetched.record, &identities)
            .map_err(|e| Error::Refused(e.to_string()))?;
        Ok((fetched, plain))
    }
}

/// The project and task of an address key `ucxl://agent:role@project:task/path`.
fn project_task(key: &str) -> (&str, &str) {
    let after = key.split_once('@').map(|(_, r)| r).unwrap_or("");
    let pt = after.split_once('/').map(|(l, _)| l).unwrap_or(after);
    pt.split_once(':').unwrap_or((pt, ""))
}

#[cfg(test)]
mod tests {
    use super::project_task;

    #[test]
    fn project_and_task_come_from_the_key() {
        assert_eq!(
            project_task("ucxl://alice:dev@chorus:t-1/docs/a.md"),
            ("chorus", "t-1")
        );
        assert_eq!(project_task("garbage"), ("", ""));
    }
}
