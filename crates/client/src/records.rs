//! Decision records and the role registry. Answers stay JSON documents (see docs/api.md):
//! their shapes belong to the records service.

use chorus_api_types::{
    paths::{self, fill},
    query::with_query,
    records::{AddressQuery, NewRecord, RecordQuery, RoleRecipients, RoleSet},
};
use serde_json::Value;

use crate::{Client, Error};

impl Client {
    /// Publishes a record: `{cid, address, version, index, term, dht, announced}`.
    pub async fn publish_record(&self, record: &NewRecord) -> Result<Value, Error> {
        self.post(paths::RECORDS, record, &[]).await
    }

    /// Records in the palace: `{items}`.
    pub async fn records(&self, query: &RecordQuery) -> Result<Value, Error> {
        self.get(&with_query(paths::RECORDS, query)).await
    }

    /// A record's verified public header by cid: `{record, source}`.
    pub async fn record(&self, cid: &str) -> Result<Value, Error> {
        self.get(&fill(paths::RECORD, cid)).await
    }

    /// The record a UCXL address selects: `{record, source}`.
    pub async fn record_at(&self, address: &str) -> Result<Value, Error> {
        let q = AddressQuery {
            address: address.to_string(),
        };
        self.get(&with_query(paths::RECORD_BY_ADDRESS, &q)).await
    }

    /// A record armoured as text.
    pub async fn export_record(&self, cid: &str) -> Result<String, Error> {
        self.get_text(&fill(paths::RECORD_EXPORT, cid)).await
    }

    /// Verifies an exported record on the node: `{record}`.
    pub async fn verify_record(&self, exported: Vec<u8>) -> Result<Value, Error> {
        self.post_bytes(paths::RECORD_VERIFY, exported).await
    }

    /// Decrypts with the node's role identities: `{record, content_type, text, body_b64}`.
    pub async fn decrypt_record(&self, cid: &str) -> Result<Value, Error> {
        self.post(
            &fill(paths::RECORD_DECRYPT, cid),
            &serde_json::json!({}),
            &[],
        )
        .await
    }

    /// The role registry and the roles this node holds: `{items, held_here}`.
    pub async fn roles(&self) -> Result<Value, Error> {
        self.get(paths::ROLES).await
    }

    /// Sets a role's recipients (none removes it); the node must hold an admin identity.
    pub async fn set_role(
        &self,
        role: &str,
        recipients: &RoleRecipients,
    ) -> Result<RoleSet, Error> {
        self.post(&fill(paths::ROLE, role), recipients, &[]).await
    }
}
