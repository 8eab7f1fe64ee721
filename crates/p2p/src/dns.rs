//! DNS bootstrap: `tasks.<service>:<port>` resolves to every task of a Swarm service.

use std::{collections::HashMap, fmt, io, net::IpAddr, str::FromStr, sync::Arc};

use futures::future::BoxFuture;

/// A name and port to resolve to every address the name carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsTarget {
    /// The host name, e.g. `tasks.chorus_agent`.
    pub host: String,
    /// The p2p port every resolved address listens on.
    pub port: u16,
}

impl FromStr for DnsTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected = "expected host:port, e.g. tasks.chorus_agent:9000";
        let (host, port) = s
            .trim()
            .rsplit_once(':')
            .ok_or_else(|| expected.to_string())?;
        let valid_host = !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
        if !valid_host {
            return Err(expected.to_string());
        }
        let port = port
            .parse::<u16>()
            .map_err(|_| format!("port {port:?}: {expected}"))?;
        Ok(Self {
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for DnsTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// Resolves a host name to all of its addresses.
pub trait Resolver: Send + Sync + 'static {
    /// Every address of `host`. Cancel-safe: dropping the future abandons the lookup.
    fn resolve(&self, host: &str) -> BoxFuture<'static, io::Result<Vec<IpAddr>>>;
}

/// The operating system's resolver (what Docker's embedded DNS answers inside a Swarm).
#[derive(Debug, Default, Clone)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve(&self, host: &str) -> BoxFuture<'static, io::Result<Vec<IpAddr>>> {
        let query = format!("{host}:0");
        Box::pin(async move {
            let mut ips: Vec<IpAddr> = tokio::net::lookup_host(query)
                .await?
                .map(|sa| sa.ip())
                .collect();
            ips.sort();
            ips.dedup();
            Ok(ips)
        })
    }
}

/// A fixed table of names, for tests: one name may map to several addresses, as a Swarm
/// service's `tasks.` name does.
#[derive(Debug, Default, Clone)]
pub struct StaticResolver {
    table: Arc<std::sync::RwLock<HashMap<String, Vec<IpAddr>>>>,
}

impl StaticResolver {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps `host` to `ips`, replacing any earlier mapping.
    pub fn insert(&self, host: &str, ips: Vec<IpAddr>) {
        let mut t = self.table.write().unwrap_or_else(|e| e.into_inner());
        t.insert(host.to_string(), ips);
    }
}

impl Resolver for StaticResolver {
    fn resolve(&self, host: &str) -> BoxFuture<'static, io::Result<Vec<IpAddr>>> {
        let t = self.table.read().unwrap_or_else(|e| e.into_inner());
        let res = t.get(host).cloned().ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("{host}: no such name"))
        });
        Box::pin(async move { res })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_host_and_port_and_names_the_problem() {
        let t: DnsTarget = "tasks.chorus_agent:9000".parse().unwrap();
        assert_eq!(
            t,
            DnsTarget {
                host: "tasks.chorus_agent".into(),
                port: 9000
            }
        );
        assert!("tasks.x".parse::<DnsTarget>().is_err());
        assert!(
            "tasks.x:70000"
                .parse::<DnsTarget>()
                .unwrap_err()
                .contains("70000")
        );
        assert!("bad host:1".parse::<DnsTarget>().is_err());
    }

    #[tokio::test]
    async fn static_resolver_returns_every_address() {
        let r = StaticResolver::new();
        r.insert(
            "tasks.a",
            vec!["127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap()],
        );
        assert_eq!(r.resolve("tasks.a").await.unwrap().len(), 2);
        assert!(r.resolve("tasks.b").await.is_err());
    }
}
