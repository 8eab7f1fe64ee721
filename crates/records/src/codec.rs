//! Byte-level reading and writing for the canonical encoding.
//!
//! Integers are big-endian. A string is its length (as a `u8` or `u16`, per field) followed by
//! that many bytes of UTF-8. Every read is bounds-checked against the remaining input, so a
//! length prefix can never make the reader allocate or index past what was received.

/// A decoding failure: which field, and what was wrong. The message never contains secrets (the
/// header holds none; the ciphertext is never echoed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError {
    pub field: &'static str,
    pub reason: String,
}

impl DecodeError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// Appends canonical encodings to a buffer.
#[derive(Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn with_capacity(cap: usize) -> Self {
        Self {
            buf: Vec::with_capacity(cap),
        }
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// A string with a `u8` length. Callers validate lengths first; a longer string is cut at
    /// the limit here only so the output stays decodable, and validation then rejects it.
    pub(crate) fn str8(&mut self, s: &str) {
        let b = &s.as_bytes()[..s.len().min(usize::from(u8::MAX))];
        self.u8(b.len() as u8);
        self.bytes(b);
    }

    /// A string with a `u16` length (see [`Writer::str8`] on overlong input).
    pub(crate) fn str16(&mut self, s: &str) {
        let b = &s.as_bytes()[..s.len().min(usize::from(u16::MAX))];
        self.u16(b.len() as u16);
        self.bytes(b);
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn into_vec(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads canonical encodings from a slice, never past its end.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(DecodeError::new(
                field,
                format!("needs {n} bytes, only {} left", self.remaining()),
            ));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(field, N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(field)?[0])
    }

    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        self.array(field).map(u16::from_be_bytes)
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        self.array(field).map(u32::from_be_bytes)
    }

    pub(crate) fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        self.array(field).map(u64::from_be_bytes)
    }

    /// A presence flag: exactly 0 or 1, so each value has one encoding.
    pub(crate) fn flag(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        match self.u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(DecodeError::new(
                field,
                format!("presence flag {other}: expected 0 or 1"),
            )),
        }
    }

    fn utf8(field: &'static str, b: &'a [u8]) -> Result<&'a str, DecodeError> {
        std::str::from_utf8(b).map_err(|_| DecodeError::new(field, "expected UTF-8 text"))
    }

    pub(crate) fn str8(&mut self, field: &'static str) -> Result<&'a str, DecodeError> {
        let n = usize::from(self.u8(field)?);
        Self::utf8(field, self.take(field, n)?)
    }

    pub(crate) fn str16(&mut self, field: &'static str) -> Result<&'a str, DecodeError> {
        let n = usize::from(self.u16(field)?);
        Self::utf8(field, self.take(field, n)?)
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let out = &self.buf[self.pos..];
        self.pos = self.buf.len();
        out
    }
}
