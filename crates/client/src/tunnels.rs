//! Tunnels between rooms of different wings.

use chorus_api_types::{
    Created, Read, ReadParams, Written,
    paths::{self, fill},
    query::with_query,
    tunnels::{NewTunnel, TunnelDeleted, TunnelQuery},
};
use chorus_palace::{Page, Tunnel};

use crate::{Client, Error, client::key_header};

impl Client {
    /// Links two rooms of different wings (idempotent).
    pub async fn create_tunnel(
        &self,
        tunnel: &NewTunnel,
        key: Option<&str>,
    ) -> Result<Written<Created<String>>, Error> {
        self.post(paths::TUNNELS, tunnel, &key_header(key)).await
    }

    /// A page of tunnels.
    pub async fn tunnels(&self, query: &TunnelQuery) -> Result<Read<Page<Tunnel>>, Error> {
        self.get(&with_query(paths::TUNNELS, query)).await
    }

    /// One tunnel.
    pub async fn tunnel(&self, id: &str, read: &ReadParams) -> Result<Read<Tunnel>, Error> {
        self.get(&with_query(&fill(paths::TUNNEL, id), read)).await
    }

    /// Deletes a tunnel.
    pub async fn delete_tunnel(
        &self,
        id: &str,
        key: Option<&str>,
    ) -> Result<Written<TunnelDeleted>, Error> {
        self.delete_with(&fill(paths::TUNNEL, id), &key_header(key))
            .await
    }
}
