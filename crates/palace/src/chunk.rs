//! Splitting long text into chunks on UTF-8 character boundaries.

/// Splits `text` into non-empty pieces of at most `max_bytes` bytes each, never inside a UTF-8
/// character, so that concatenating the pieces gives `text` back exactly.
///
/// `max_bytes` must be at least 4 (the longest UTF-8 character); smaller values are raised to 4
/// so the split always makes progress. Empty text gives no pieces.
pub fn split_utf8(text: &str, max_bytes: usize) -> Vec<&str> {
    let max = max_bytes.max(4);
    let mut out = Vec::with_capacity(text.len() / max + 1);
    let mut rest = text;
    while !rest.is_empty() {
        if rest.len() <= max {
            out.push(rest);
            break;
        }
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        out.push(head);
        rest = tail;
    }
    out
}

/// Number of pieces [`split_utf8`] would produce, without allocating them; `None` as soon as it
/// exceeds `cap`.
pub fn count_pieces(text: &str, max_bytes: usize, cap: usize) -> Option<usize> {
    let max = max_bytes.max(4);
    let mut n = 0;
    let mut rest = text;
    while !rest.is_empty() {
        n += 1;
        if n > cap {
            return None;
        }
        if rest.len() <= max {
            break;
        }
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        rest = &rest[cut..];
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_char_boundaries() {
        let text = "aé€😀".repeat(10);
        for max in 4..20 {
            let parts = split_utf8(&text, max);
            assert!(parts.iter().all(|p| !p.is_empty() && p.len() <= max));
            assert_eq!(parts.concat(), text);
            assert_eq!(count_pieces(&text, max, usize::MAX), Some(parts.len()));
        }
        assert!(split_utf8("", 10).is_empty());
        assert_eq!(count_pieces(&"a".repeat(100), 10, 5), None);
    }
}
