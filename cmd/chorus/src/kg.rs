//! `chorus palace kg …`: the knowledge graph.

use chorus_client::{
    Client,
    types::kg::{Invalidate, KgQuery, NewEntity, NewFact},
};
use chorus_palace::Direction;
use clap::Subcommand;

use crate::{
    flags::{PageFlags, ReadFlags},
    output::print,
};

/// Knowledge-graph commands.
#[derive(Subcommand, Debug)]
pub enum KgCmd {
    /// Add a fact `subject predicate object`.
    Add {
        /// Subject entity.
        subject: String,
        /// Predicate, such as works_on.
        predicate: String,
        /// Object entity.
        object: String,
        /// Start of validity, ms since the epoch.
        #[arg(long)]
        valid_from: Option<u64>,
        /// End of validity (exclusive), ms since the epoch.
        #[arg(long)]
        valid_to: Option<u64>,
        /// Confidence in 0..=1.
        #[arg(long)]
        confidence: Option<f64>,
        /// Drawer the fact came from.
        #[arg(long)]
        source_drawer: Option<String>,
    },
    /// Create an entity or set its kind.
    Entity {
        /// Entity name.
        name: String,
        /// Kind, such as person or project.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Facts about an entity, optionally as of a time.
    Query {
        /// Entity name.
        entity: String,
        /// Only facts valid at this time (ms since the epoch).
        #[arg(long)]
        as_of: Option<u64>,
        /// out (entity is subject), in (entity is object) or both.
        #[arg(long, value_parser = direction)]
        direction: Option<Direction>,
        #[command(flatten)]
        page: PageFlags,
    },
    /// Close the open facts `subject predicate object`.
    Invalidate {
        /// Subject entity.
        subject: String,
        /// Predicate.
        predicate: String,
        /// Object entity.
        object: String,
        /// End of validity, ms (default: now, as stamped by the leader).
        #[arg(long)]
        ended_at: Option<u64>,
    },
    /// Facts about an entity in time order.
    Timeline {
        /// Entity name.
        entity: String,
        #[command(flatten)]
        page: PageFlags,
    },
    /// Entity and fact counts.
    Stats {
        #[command(flatten)]
        read: ReadFlags,
    },
}

fn direction(s: &str) -> Result<Direction, String> {
    match s {
        "out" => Ok(Direction::Out),
        "in" => Ok(Direction::In),
        "both" => Ok(Direction::Both),
        _ => Err(format!("{s:?}: expected out, in or both")),
    }
}

fn query(entity: String, page: &PageFlags) -> KgQuery {
    let p = page.query();
    KgQuery {
        entity,
        limit: p.limit,
        cursor: p.cursor,
        min_index: p.min_index,
        consistency: p.consistency,
        ..KgQuery::default()
    }
}

/// Runs a knowledge-graph command.
pub async fn run(client: &Client, cmd: KgCmd) -> anyhow::Result<()> {
    match cmd {
        KgCmd::Add {
            subject,
            predicate,
            object,
            valid_from,
            valid_to,
            confidence,
            source_drawer,
        } => {
            let fact = NewFact {
                subject,
                predicate,
                object,
                valid_from,
                valid_to,
                confidence,
                source_drawer,
            };
            print(&client.add_fact(&fact, None).await?)
        }
        KgCmd::Entity { name, kind } => {
            print(&client.add_entity(&NewEntity { name, kind }, None).await?)
        }
        KgCmd::Query {
            entity,
            as_of,
            direction,
            page,
        } => {
            let q = KgQuery {
                as_of,
                direction,
                ..query(entity, &page)
            };
            print(&client.kg_query(&q).await?)
        }
        KgCmd::Invalidate {
            subject,
            predicate,
            object,
            ended_at,
        } => {
            let what = Invalidate {
                subject,
                predicate,
                object,
                ended_at_ms: ended_at,
            };
            print(&client.invalidate(&what, None).await?)
        }
        KgCmd::Timeline { entity, page } => {
            print(&client.kg_timeline(&query(entity, &page)).await?)
        }
        KgCmd::Stats { read } => print(&client.kg_stats(&read.params()).await?),
    }
}
