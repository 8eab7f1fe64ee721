//! The index schema and the mapping from a palace drawer to a tantivy document.

use tantivy::TantivyDocument;
use tantivy::schema::{FAST, Field, STORED, STRING, Schema, TEXT};

use crate::batch::Doc;

/// Version of the schema and of the commit payload; bump it when either changes, so an old
/// on-disk index is reported incompatible (and rebuilt by the caller) instead of misread.
pub(crate) const FORMAT_VERSION: u64 = 1;

/// Field handles of the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// Drawer id: exact term, stored; the key for upserts and deletes.
    pub id: Field,
    /// Wing: exact term for filtering, stored.
    pub wing: Field,
    /// Room: exact term for filtering, stored.
    pub room: Field,
    /// Text: tokenised with positions (for phrases), stored (for snippets).
    pub content: Field,
    /// First 64 bits of the id as a fast field: a deterministic tie-break between equal
    /// scores, so hit order does not depend on segment layout.
    pub order: Field,
}

/// Builds the schema.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        wing: b.add_text_field("wing", STRING | STORED),
        room: b.add_text_field("room", STRING | STORED),
        content: b.add_text_field("content", TEXT | STORED),
        order: b.add_u64_field("order", FAST),
    };
    (b.build(), fields)
}

/// The tie-break key of a drawer id (its first 16 hex digits); 0 for ids not in hex.
pub(crate) fn order_key(id: &str) -> u64 {
    id.get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0)
}

/// The document for one stored drawer (or chunk part).
pub(crate) fn document(f: &Fields, d: &Doc) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, &d.id);
    doc.add_text(f.wing, &d.wing);
    doc.add_text(f.room, &d.room);
    doc.add_text(f.content, &d.content);
    doc.add_u64(f.order, order_key(&d.id));
    doc
}
