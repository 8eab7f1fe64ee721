//! The palace state and its deterministic `apply`.

use crate::Error;
use crate::command::{ApplyContext, Command, NewDrawer};
use crate::diary::Diaries;
use crate::drawers::Drawers;
use crate::graph::Graph;
use crate::limits::{Config, MAX_BATCH_BYTES, MAX_BATCH_ITEMS};
use crate::records::{RecordInput, Records};
use crate::response::{Applied, Change, DrawerAdded, Response};
use crate::roles::Roles;
use crate::tunnels::Tunnels;

/// The whole replicated palace.
///
/// All tables are `BTreeMap`s, so iteration order, snapshots and every read are functions of the
/// applied log alone. Reads are methods in `reads.rs`; snapshots in `snapshot.rs`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub(crate) config: Config,
    pub(crate) applied_index: u64,
    pub(crate) applied_term: u64,
    pub(crate) drawers: Drawers,
    pub(crate) graph: Graph,
    pub(crate) tunnels: Tunnels,
    pub(crate) diaries: Diaries,
    pub(crate) records: Records,
    pub(crate) roles: Roles,
}

impl State {
    /// An empty palace with `config` (validated).
    pub fn new(config: Config) -> Result<State, Error> {
        config.validate()?;
        Ok(State {
            config,
            ..State::default()
        })
    }

    /// Applies one command at the log position and leader time in `ctx`.
    ///
    /// Never panics and never reads a clock or a random source. A rejected command leaves the
    /// state unchanged except for the applied index and term, and returns an `Err` result with
    /// no changes. Every command validates its whole input before it mutates anything, except a
    /// batch add, whose items are applied (or rejected) one by one.
    pub fn apply(&mut self, ctx: &ApplyContext, cmd: Command) -> Applied {
        let mut changes = Vec::new();
        let result = self.dispatch(ctx, cmd, &mut changes);
        self.applied_index = ctx.index;
        self.applied_term = ctx.term;
        Applied { result, changes }
    }

    fn dispatch(
        &mut self,
        ctx: &ApplyContext,
        cmd: Command,
        changes: &mut Vec<Change>,
    ) -> Result<Response, Error> {
        match cmd {
            Command::DrawerAdd(nd) => self
                .drawers
                .add(&self.config, ctx, nd, changes)
                .map(Response::DrawerAdded),
            Command::DrawerAddBatch { drawers } => self.add_batch(ctx, drawers, changes),
            Command::DrawerUpdate {
                id,
                content,
                metadata,
            } => {
                let chunks =
                    self.drawers
                        .update(&self.config, ctx, &id, content, metadata, changes)?;
                Ok(Response::DrawerUpdated { id, chunks })
            }
            Command::DrawerDelete { id } => {
                let chunks = self.drawers.delete(&id, changes)?;
                Ok(Response::DrawerDeleted { id, chunks })
            }
            Command::KgEntityAdd { name, kind } => {
                let already_exists = self.graph.add_entity(ctx, &name, kind, changes)?;
                Ok(Response::EntityAdded {
                    name,
                    already_exists,
                })
            }
            Command::KgFactAdd(nf) => {
                let (id, already_exists) = self.graph.add_fact(ctx, nf, changes)?;
                Ok(Response::FactAdded { id, already_exists })
            }
            Command::KgInvalidate {
                subject,
                predicate,
                object,
                ended_at_ms,
            } => {
                let ended = ended_at_ms.unwrap_or(ctx.now_ms);
                let ids = self
                    .graph
                    .invalidate(&subject, &predicate, &object, ended, changes)?;
                Ok(Response::FactsInvalidated { ids })
            }
            Command::TunnelCreate {
                a,
                b,
                label,
                created_by,
            } => {
                let (id, already_exists) =
                    self.tunnels.create(ctx, a, b, label, created_by, changes)?;
                Ok(Response::TunnelCreated { id, already_exists })
            }
            Command::TunnelDelete { id } => {
                self.tunnels.delete(&id, changes)?;
                Ok(Response::TunnelDeleted { id })
            }
            Command::DiaryAppend { agent, text, topic } => {
                let seq = self
                    .diaries
                    .append(ctx, agent.clone(), text, topic, changes)?;
                Ok(Response::DiaryAppended { agent, seq })
            }
            Command::RecordPut {
                cid,
                address_key,
                author,
                created_at_ms,
                envelope,
            } => {
                let input = RecordInput {
                    cid: cid.clone(),
                    address_key,
                    author,
                    created_at_ms,
                    envelope,
                };
                let (version, already_exists) = self.records.put(ctx, input, changes)?;
                Ok(Response::RecordStored {
                    cid,
                    version,
                    already_exists,
                })
            }
            Command::RoleSet { role, recipients } => {
                let n = self.roles.set(role.clone(), recipients, changes)?;
                Ok(Response::RoleSet {
                    role,
                    recipients: n,
                })
            }
        }
    }

    fn add_batch(
        &mut self,
        ctx: &ApplyContext,
        drawers: Vec<NewDrawer>,
        changes: &mut Vec<Change>,
    ) -> Result<Response, Error> {
        if drawers.len() > MAX_BATCH_ITEMS {
            return Err(Error::too_large(
                "drawers",
                drawers.len(),
                MAX_BATCH_ITEMS,
                "items",
                "MAX_BATCH_ITEMS",
            ));
        }
        let total: usize = drawers.iter().map(|d| d.content.len()).sum();
        if total > MAX_BATCH_BYTES {
            return Err(Error::too_large(
                "drawers",
                total,
                MAX_BATCH_BYTES,
                "bytes",
                "MAX_BATCH_BYTES",
            ));
        }
        let results: Vec<Result<DrawerAdded, Error>> = drawers
            .into_iter()
            .enumerate()
            .map(|(i, nd)| {
                self.drawers
                    .add(&self.config, ctx, nd, changes)
                    .map_err(|e| e.in_item(&format!("drawers[{i}]")))
            })
            .collect();
        Ok(Response::DrawersAdded { results })
    }
}
