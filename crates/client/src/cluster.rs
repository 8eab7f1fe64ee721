//! Membership, fencing and backups.

use std::time::Duration;

use chorus_api_types::{
    ReadParams,
    cluster::{FenceAccepted, FenceCheck, FencingResource, Member, Promoted, Removed},
    paths::{self, fill},
    query::with_query,
};
use chorus_types::fencing::FencingToken;

use crate::{Client, Error};

/// Longest a backup download may take.
pub const BACKUP_WAIT: Duration = Duration::from_secs(600);

impl Client {
    /// Voters and learners.
    pub async fn members(&self) -> Result<Vec<Member>, Error> {
        self.get(paths::MEMBERS).await
    }

    /// Makes a learner a voter (`id`: raft id, peer id or name).
    pub async fn promote(&self, id: &str) -> Result<Promoted, Error> {
        self.post(
            &fill(paths::MEMBER_PROMOTE, id),
            &serde_json::json!({}),
            &[],
        )
        .await
    }

    /// Removes a member; it is not re-added automatically.
    pub async fn remove_member(&self, id: &str) -> Result<Removed, Error> {
        self.delete(&fill(paths::MEMBER, id)).await
    }

    /// A new fencing token for `resource` (leader only).
    pub async fn authorize(&self, resource: &str) -> Result<FencingToken, Error> {
        let body = FencingResource {
            resource: resource.to_string(),
        };
        self.post(paths::FENCING_AUTHORIZE, &body, &[]).await
    }

    /// A receiver's check of a token: accepted, or a 409 `stale_token`.
    pub async fn check_fence(&self, check: &FenceCheck) -> Result<FenceAccepted, Error> {
        self.post(paths::FENCING_CHECK, check, &[]).await
    }

    /// A backup file of the palace at the freshness `read` asks for, waiting up to
    /// [`BACKUP_WAIT`].
    pub async fn backup(&self, read: &ReadParams) -> Result<Vec<u8>, Error> {
        self.clone()
            .with_timeout(BACKUP_WAIT)
            .post_download(&with_query(paths::BACKUP, read))
            .await
    }
}
