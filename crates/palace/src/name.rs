//! Validation of names (wings, rooms, agents, halls, topics, roles) and bounded free text.

use crate::Error;
use crate::limits::MAX_NAME_CHARS;

/// What a valid name looks like, quoted in errors.
const NAME_EXPECTED: &str = "1 to 128 characters: letters, digits, space, '_', '-', '.', '@'; \
     no '..', no '/', no NUL, no leading or trailing space";

/// Checks that `value` is a safe name for `field`: 1 to 128 characters, each a letter, a
/// digit, space, `_`, `-`, `.` or `@`; no `..`, no `/`, no NUL, no leading or trailing space.
///
/// Names become parts of UCXL addresses, file names in exports and tantivy terms, so they are
/// kept to characters that are inert everywhere: no path separators, no `..`, no control
/// characters.
pub fn validate_name(field: &str, value: &str) -> Result<(), Error> {
    let chars = value.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(Error::too_large(
            field,
            chars,
            MAX_NAME_CHARS,
            "characters",
            "MAX_NAME_CHARS",
        ));
    }
    let ok = !value.is_empty()
        && !value.contains("..")
        && !value.starts_with(' ')
        && !value.ends_with(' ')
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(field, value, NAME_EXPECTED))
    }
}

/// Checks that `value` is at most `max` bytes (`limit` names the constant) and, when
/// `non_empty`, not empty; and that it holds no control character except newline and tab.
pub fn validate_text(
    field: &str,
    value: &str,
    max: usize,
    limit: &str,
    non_empty: bool,
) -> Result<(), Error> {
    if value.len() > max {
        return Err(Error::too_large(field, value.len(), max, "bytes", limit));
    }
    if non_empty && value.is_empty() {
        return Err(Error::invalid(field, value, "a non-empty string"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::invalid(
            field,
            value,
            "text without control characters other than newline, carriage return and tab",
        ));
    }
    Ok(())
}

/// Like [`validate_text`] with `non_empty`, but additionally forbids all control characters
/// (for single-line identifiers such as entity names, content ids and recipients).
pub fn validate_line(field: &str, value: &str, max: usize, limit: &str) -> Result<(), Error> {
    validate_text(field, value, max, limit, true)?;
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            value,
            "a single line without control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        for n in [
            "alice",
            "project-x",
            "a.b",
            "Ärger 2",
            "bob@example.com",
            "x_y",
        ] {
            assert!(validate_name("wing", n).is_ok(), "{n}");
        }
    }

    #[test]
    fn rejects_unsafe_names_naming_the_field() {
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        for n in [
            "",
            "..",
            "a/b",
            "a\0b",
            " a",
            "a ",
            "a..b",
            "a\\b",
            long.as_str(),
        ] {
            let e = validate_name("room", n).expect_err(n);
            assert_eq!(e.field(), "room");
            assert!(e.to_string().starts_with("room"), "{e}");
        }
    }

    #[test]
    fn text_allows_newlines_but_not_nul() {
        assert!(validate_text("content", "a\nb\tc", 10, "L", true).is_ok());
        assert!(validate_text("content", "a\0", 10, "L", true).is_err());
        assert!(validate_text("content", "", 10, "L", true).is_err());
        assert!(validate_line("subject", "a\nb", 10, "L").is_err());
        let e = validate_text("content", "abcdef", 3, "MAX_X", true).expect_err("too long");
        assert!(e.to_string().contains("MAX_X"), "{e}");
    }
}
