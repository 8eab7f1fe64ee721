//! Process exit codes, after BSD's sysexits: what every Chorus binary exits with, so scripts
//! can tell a usage mistake from bad data or an unreachable node.

/// Success.
pub const OK: u8 = 0;
/// A usage mistake: a bad flag, setting or URL (EX_USAGE).
pub const USAGE: u8 = 64;
/// Input that is refused or unreadable: a damaged backup, a rejected record (EX_DATAERR).
pub const DATA: u8 = 65;
/// The node cannot be reached, or cannot serve now (EX_UNAVAILABLE).
pub const UNAVAILABLE: u8 = 69;
/// Anything else: a bug or an answer the protocol does not allow (EX_SOFTWARE).
pub const SOFTWARE: u8 = 70;
/// The operating system refused something basic, such as starting the runtime (EX_OSERR).
pub const OS: u8 = 71;
/// A file could not be read or written (EX_IOERR).
pub const IO: u8 = 74;
/// Try again later: a resource is held, such as a data directory a node runs on
/// (EX_TEMPFAIL).
pub const TEMPORARY: u8 = 75;
