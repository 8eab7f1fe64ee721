//! Every path the API serves. The server routes these patterns; the client fills them in with
//! [`fill`]. A `{name}` segment is one percent-encoded path segment.

/// `GET`: liveness, on the health port and the API.
pub const HEALTHZ: &str = "/healthz";
/// `GET`: readiness, on the health port.
pub const READYZ: &str = "/readyz";
/// `GET`: the status document, on the health port.
pub const HEALTH_STATUS: &str = "/status";
/// `GET`: Prometheus metrics, on the health port.
pub const METRICS: &str = "/metrics";
/// `GET`: the status document.
pub const STATUS: &str = "/v1/status";
/// `GET`: the cluster's peers.
pub const PEERS: &str = "/v1/peers";

/// `POST` a drawer, `GET` a page of drawers.
pub const DRAWERS: &str = "/v1/palace/drawers";
/// `GET`, `PATCH`, `DELETE` one drawer.
pub const DRAWER: &str = "/v1/palace/drawers/{id}";
/// `POST` many drawers in one entry.
pub const DRAWERS_BATCH: &str = "/v1/palace/drawers/batch";
/// `POST`: is this text already filed?
pub const DUPLICATE: &str = "/v1/palace/duplicate";
/// `GET`: wings, rooms and their drawer counts.
pub const TAXONOMY: &str = "/v1/palace/taxonomy";
/// `GET`: palace counts and the search index's state.
pub const PALACE_STATUS: &str = "/v1/palace/status";
/// `GET`: full-text search.
pub const SEARCH: &str = "/v1/palace/search";
/// `POST`: rebuild the search index.
pub const REINDEX: &str = "/v1/palace/reindex";
/// `GET` and `POST` an agent's diary.
pub const DIARY: &str = "/v1/palace/diaries/{agent}";
/// `POST` a fact.
pub const KG_FACTS: &str = "/v1/palace/kg/facts";
/// `POST` an entity.
pub const KG_ENTITIES: &str = "/v1/palace/kg/entities";
/// `GET` an entity.
pub const KG_ENTITY: &str = "/v1/palace/kg/entities/{name}";
/// `POST`: close open facts.
pub const KG_INVALIDATE: &str = "/v1/palace/kg/invalidate";
/// `GET`: facts about an entity.
pub const KG_QUERY: &str = "/v1/palace/kg/query";
/// `GET`: facts about an entity in time order.
pub const KG_TIMELINE: &str = "/v1/palace/kg/timeline";
/// `GET`: knowledge-graph counts.
pub const KG_STATS: &str = "/v1/palace/kg/stats";
/// `POST` a tunnel, `GET` a page of tunnels.
pub const TUNNELS: &str = "/v1/palace/tunnels";
/// `GET`, `DELETE` one tunnel.
pub const TUNNEL: &str = "/v1/palace/tunnels/{id}";

/// `GET`: voters and learners.
pub const MEMBERS: &str = "/v1/members";
/// `DELETE` a member.
pub const MEMBER: &str = "/v1/members/{id}";
/// `POST`: make a learner a voter.
pub const MEMBER_PROMOTE: &str = "/v1/members/{id}/promote";
/// `POST`: a new fencing token for a resource (leader only).
pub const FENCING_AUTHORIZE: &str = "/v1/fencing/authorize";
/// `POST`: a receiver's check of a fencing token.
pub const FENCING_CHECK: &str = "/v1/fencing/check";
/// `POST`: a backup file of the palace.
pub const BACKUP: &str = "/v1/backup";

/// `POST` a record, `GET` a list of records.
pub const RECORDS: &str = "/v1/records";
/// `GET` a record by UCXL address.
pub const RECORD_BY_ADDRESS: &str = "/v1/records/by-address";
/// `POST`: verify an exported record.
pub const RECORD_VERIFY: &str = "/v1/records/verify";
/// `GET` a record's verified header.
pub const RECORD: &str = "/v1/records/{cid}";
/// `GET` a record armoured as text.
pub const RECORD_EXPORT: &str = "/v1/records/{cid}/export";
/// `POST`: decrypt a record with this node's role identities.
pub const RECORD_DECRYPT: &str = "/v1/records/{cid}/decrypt";
/// `GET`: the role registry.
pub const ROLES: &str = "/v1/roles";
/// `POST`: set a role's recipients.
pub const ROLE: &str = "/v1/roles/{role}";

/// `pattern` with its `{…}` segment replaced by `value`, percent-encoded.
pub fn fill(pattern: &str, value: &str) -> String {
    match (pattern.find('{'), pattern.find('}')) {
        (Some(open), Some(close)) if open < close => format!(
            "{}{}{}",
            &pattern[..open],
            encode(value),
            &pattern[close + 1..]
        ),
        _ => pattern.to_string(),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so any value is one path
/// segment or one query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_is_filled_with_one_encoded_segment() {
        assert_eq!(fill(DRAWER, "a b/c"), "/v1/palace/drawers/a%20b%2Fc");
        assert_eq!(fill(MEMBER_PROMOTE, "7"), "/v1/members/7/promote");
        assert_eq!(fill(DRAWERS, "x"), DRAWERS);
    }
}
