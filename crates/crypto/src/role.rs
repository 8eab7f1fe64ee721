//! Private age X25519 identities of roles, and their files.
//!
//! A role identity file is an age identity file, readable by the `age` command line tool:
//!
//! ```text
//! # chorus role identity: <role>
//! # public key: age1…
//! AGE-SECRET-KEY-1…
//! ```
//!
//! Comment and blank lines are ignored; exactly one secret key line is expected. The file must
//! have no permissions for group or others (see [`crate::keyfile`]).
use std::fmt;
use std::fs::DirBuilder;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use chorus_types::ucxl::{UcxlError, validate_role};

use crate::keyfile::{self, KeyFileError};
use crate::recipient::RoleRecipient;

/// The private age X25519 key of a role. Decrypts what was encrypted to its
/// [`recipient`](Self::recipient). Zeroed on drop; `Debug` shows only the public recipient.
#[derive(Clone)]
pub struct RoleIdentity {
    inner: age::x25519::Identity,
    recipient: RoleRecipient,
}

/// A role identity could not be created, written or loaded. Never contains key material.
#[derive(Debug, thiserror::Error)]
pub enum RoleKeyError {
    /// The role name is not a valid role.
    #[error(transparent)]
    Role(#[from] UcxlError),
    /// Reading or writing the file failed, or its permissions are too loose.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The file holds no secret key line.
    #[error("role identity file {path}: no key found: expected one line AGE-SECRET-KEY-1…")]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The file holds more than one secret key line.
    #[error("role identity file {path}: {count} keys: expected exactly one AGE-SECRET-KEY-1… line")]
    Multiple {
        /// The file.
        path: PathBuf,
        /// How many key lines were found.
        count: usize,
    },
    /// A directory holds more role identity files than [`MAX_ROLE_FILES`].
    #[error("role identity directory {path}: more than {max} .age files: expected at most {max}")]
    TooManyFiles {
        /// The directory.
        path: PathBuf,
        /// The limit.
        max: usize,
    },
    /// A line is neither a comment nor a valid age X25519 secret key.
    #[error(
        "role identity file {path} line {line}: expected an age X25519 secret key \
         (AGE-SECRET-KEY-1…), a comment (#) or a blank line"
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The 1-based line number (the line itself is not shown: it may be a secret).
        line: usize,
    },
}

impl RoleIdentity {
    /// Generates a fresh identity from the operating system's random source.
    pub fn generate() -> Self {
        Self::from_age(age::x25519::Identity::generate())
    }

    fn from_age(inner: age::x25519::Identity) -> Self {
        let recipient = RoleRecipient::from_age(inner.to_public());
        Self { inner, recipient }
    }

    /// The public recipient that encrypts to this identity.
    pub fn recipient(&self) -> &RoleRecipient {
        &self.recipient
    }

    /// The underlying age identity, for decrypting.
    pub fn as_age(&self) -> &age::x25519::Identity {
        &self.inner
    }

    /// The identity file contents for `role` (see the module documentation).
    pub fn to_file_contents(&self, role: &str) -> SecretString {
        let secret = self.inner.to_string();
        SecretString::from(format!(
            "# chorus role identity: {role}\n# public key: {}\n{}\n",
            self.recipient,
            secret.expose_secret()
        ))
    }

    /// Writes this identity for `role` to a new file at `path` with mode 0600; refuses to
    /// overwrite an existing file.
    pub fn write_new(&self, path: &Path, role: &str) -> Result<(), RoleKeyError> {
        validate_role(role)?;
        let contents = self.to_file_contents(role);
        keyfile::write_new_secret_file(path, contents.expose_secret().as_bytes())?;
        Ok(())
    }

    /// Loads an identity file, refusing one that group or others can access.
    pub fn load(path: &Path) -> Result<Self, RoleKeyError> {
        let bytes = keyfile::read_secret_file(path)?;
        let text =
            std::str::from_utf8(bytes.expose_secret()).map_err(|_| KeyFileError::NotUtf8 {
                path: path.to_owned(),
            })?;
        let mut found = None;
        let mut count = 0;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let identity =
                line.parse::<age::x25519::Identity>()
                    .map_err(|_| RoleKeyError::Invalid {
                        path: path.to_owned(),
                        line: i + 1,
                    })?;
            count += 1;
            found = Some(identity);
        }
        match (found, count) {
            (Some(identity), 1) => Ok(Self::from_age(identity)),
            (None, _) => Err(RoleKeyError::Missing {
                path: path.to_owned(),
            }),
            (Some(_), count) => Err(RoleKeyError::Multiple {
                path: path.to_owned(),
                count,
            }),
        }
    }

    /// Generates an identity for `role` and writes it to `<dir>/<role>.age` (mode 0600, creating
    /// `dir` with mode 0700 if needed). Refuses to overwrite an existing key. This is
    /// `chorus keys gen-role ROLE`; the caller publishes the returned identity's recipient.
    pub fn generate_file(dir: &Path, role: &str) -> Result<(PathBuf, Self), RoleKeyError> {
        let path = role_key_path(dir, role)?;
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| KeyFileError::Io {
                path: dir.to_owned(),
                op: "create directory",
                source,
            })?;
        let identity = Self::generate();
        identity.write_new(&path, role)?;
        Ok((path, identity))
    }
}

/// Most role identity files [`RoleIdentity::load_dir`] reads; a node holds a handful of roles.
pub const MAX_ROLE_FILES: usize = 64;

impl RoleIdentity {
    /// Loads every `<role>.age` file in `dir` (the node's `<data>/keys/roles/`), sorted by role.
    /// Other files are ignored; a `.age` file whose name is not a valid role, whose permissions
    /// are too loose or which does not hold one identity is an error, as is a missing directory.
    /// At most [`MAX_ROLE_FILES`] files are accepted.
    pub fn load_dir(dir: &Path) -> Result<Vec<(String, RoleIdentity)>, RoleKeyError> {
        let io = |source| KeyFileError::Io {
            path: dir.to_owned(),
            op: "list directory",
            source,
        };
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let Some(role) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".age"))
            else {
                continue;
            };
            validate_role(role)?;
            if found.len() == MAX_ROLE_FILES {
                return Err(RoleKeyError::TooManyFiles {
                    path: dir.to_owned(),
                    max: MAX_ROLE_FILES,
                });
            }
            found.push((role.to_owned(), Self::load(&path)?));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }
}

/// The path of `role`'s identity file in `dir`: `<dir>/<role>.age`, after checking the role name
/// (which also keeps it from naming another directory).
pub fn role_key_path(dir: &Path, role: &str) -> Result<PathBuf, RoleKeyError> {
    validate_role(role)?;
    Ok(dir.join(format!("{role}.age")))
}

impl fmt::Debug for RoleIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleIdentity")
            .field("recipient", &self.recipient)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn generate_file_writes_0600_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let roles = dir.path().join("keys/roles");
        let (path, id) = RoleIdentity::generate_file(&roles, "developer").unwrap();
        assert_eq!(path, roles.join("developer.age"));
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let loaded = RoleIdentity::load(&path).unwrap();
        assert_eq!(loaded.recipient(), id.recipient());
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(&format!("# public key: {}", id.recipient())));

        let again = RoleIdentity::generate_file(&roles, "developer").unwrap_err();
        assert!(matches!(
            again,
            RoleKeyError::KeyFile(KeyFileError::AlreadyExists { .. })
        ));
        assert_eq!(
            RoleIdentity::load(&path).unwrap().recipient(),
            id.recipient()
        );
    }

    #[test]
    fn load_dir_reads_every_role_file() {
        let dir = tempfile::tempdir().unwrap();
        let (_, dev) = RoleIdentity::generate_file(dir.path(), "developer").unwrap();
        let (_, admin) = RoleIdentity::generate_file(dir.path(), "admin").unwrap();
        fs::write(dir.path().join("README"), "not a key").unwrap();
        let loaded = RoleIdentity::load_dir(dir.path()).unwrap();
        let roles: Vec<_> = loaded
            .iter()
            .map(|(r, i)| (r.as_str(), i.recipient()))
            .collect();
        assert_eq!(
            roles,
            [("admin", admin.recipient()), ("developer", dev.recipient())]
        );
        fs::write(dir.path().join("Bad.age"), "x").unwrap();
        let err = RoleIdentity::load_dir(dir.path()).unwrap_err();
        assert!(matches!(err, RoleKeyError::Role(_)), "{err}");
    }

    #[test]
    fn bad_role_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for role in ["", "../admin", "Admin", "a/b", "x.age"] {
            let err = RoleIdentity::generate_file(dir.path(), role).unwrap_err();
            assert!(matches!(err, RoleKeyError::Role(_)), "{role}: {err}");
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn loose_or_malformed_files_are_refused_without_echoing_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.age");
        let id = RoleIdentity::generate();
        let secret = id.as_age().to_string().expose_secret().to_owned();
        id.write_new(&path, "reviewer").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = RoleIdentity::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("0644") && err.contains(&path.display().to_string()),
            "{err}"
        );

        let cases: [(&str, String); 3] = [
            ("empty", "# only a comment\n\n".to_owned()),
            ("two", format!("{secret}\n{secret}\n")),
            ("bad", format!("# c\n{}B\n", &secret[..secret.len() - 1])),
        ];
        for (name, contents) in cases {
            let p = dir.path().join(name);
            keyfile::write_new_secret_file(&p, contents.as_bytes()).unwrap();
            let err = RoleIdentity::load(&p).unwrap_err();
            let msg = err.to_string();
            assert!(!msg.contains(&secret[20..]), "{msg}");
            match name {
                "empty" => assert!(matches!(err, RoleKeyError::Missing { .. })),
                "two" => assert!(matches!(err, RoleKeyError::Multiple { count: 2, .. })),
                _ => assert!(
                    matches!(err, RoleKeyError::Invalid { line: 2, .. }),
                    "{msg}"
                ),
            }
        }
        let debug = format!("{id:?}");
        assert!(!debug.contains(&secret) && debug.contains("age1"));
    }
}
