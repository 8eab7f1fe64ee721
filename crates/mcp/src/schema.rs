//! Tool argument specs: one table gives both the JSON Schema a client sees and the validation
//! the server applies, so the two cannot drift apart.

use serde_json::{Map, Value, json};

/// Longest string argument accepted before it reaches the node (the node applies the palace's
/// own, smaller limits and names the field).
const MAX_STRING_BYTES: usize = 4 * 1024 * 1024;

/// The type of one argument.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string.
    Str,
    /// A non-negative integer up to `max`.
    Int {
        /// Largest value.
        max: u64,
    },
    /// A number in 0..=1.
    Unit,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// An object of string values.
    StrMap,
    /// A list of strings, at most `max` of them.
    StrList {
        /// Most items.
        max: usize,
    },
}

/// One argument of a tool.
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    /// Name.
    pub name: &'static str,
    /// Type.
    pub kind: Kind,
    /// Whether it must be given.
    pub required: bool,
    /// What it means.
    pub doc: &'static str,
}

/// A required argument.
pub const fn req(name: &'static str, kind: Kind, doc: &'static str) -> Arg {
    Arg {
        name,
        kind,
        required: true,
        doc,
    }
}

/// An optional argument.
pub const fn opt(name: &'static str, kind: Kind, doc: &'static str) -> Arg {
    Arg {
        name,
        kind,
        required: false,
        doc,
    }
}

/// The input schema: a plain object, no top-level combinators.
pub fn input_schema(args: &[Arg]) -> Value {
    let mut props = Map::new();
    for a in args {
        let mut p = match a.kind {
            Kind::Str => json!({"type": "string"}),
            Kind::Int { max } => json!({"type": "integer", "minimum": 0, "maximum": max}),
            Kind::Unit => json!({"type": "number", "minimum": 0, "maximum": 1}),
            Kind::Enum(values) => json!({"type": "string", "enum": values}),
            Kind::StrMap => json!({"type": "object", "additionalProperties": {"type": "string"}}),
            Kind::StrList { max } => {
                json!({"type": "array", "items": {"type": "string"}, "maxItems": max})
            }
        };
        p["description"] = json!(a.doc);
        props.insert(a.name.to_string(), p);
    }
    let required: Vec<&str> = args.iter().filter(|a| a.required).map(|a| a.name).collect();
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

/// Checks `args` (absent means `{}`) against the spec; the message names the argument, the
/// value and what was expected.
pub fn validate(spec: &[Arg], args: Option<&Value>) -> Result<Map<String, Value>, String> {
    let obj = match args {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            return Err(format!("arguments = {}: expected an object", short(other)));
        }
    };
    for key in obj.keys() {
        if !spec.iter().any(|a| a.name == key) {
            let known: Vec<&str> = spec.iter().map(|a| a.name).collect();
            return Err(format!(
                "unknown argument `{key}`: expected only {}",
                if known.is_empty() {
                    "no arguments".to_string()
                } else {
                    known.join(", ")
                }
            ));
        }
    }
    for a in spec {
        match obj.get(a.name) {
            None | Some(Value::Null) if a.required => {
                return Err(format!("argument `{}` is required: {}", a.name, a.doc));
            }
            None | Some(Value::Null) => {}
            Some(v) => check(a, v)?,
        }
    }
    Ok(obj)
}

fn check(a: &Arg, v: &Value) -> Result<(), String> {
    let bad = |expected: String| Err(format!("{} = {}: expected {expected}", a.name, short(v)));
    match a.kind {
        Kind::Str => match v.as_str() {
            Some(s) if s.len() <= MAX_STRING_BYTES => Ok(()),
            Some(s) => bad(format!("at most {MAX_STRING_BYTES} bytes, got {}", s.len())),
            None => bad("a string".into()),
        },
        Kind::Int { max } => match v.as_u64() {
            Some(n) if n <= max => Ok(()),
            _ => bad(format!("an integer from 0 to {max}")),
        },
        Kind::Unit => match v.as_f64() {
            Some(x) if (0.0..=1.0).contains(&x) => Ok(()),
            _ => bad("a number from 0 to 1".into()),
        },
        Kind::Enum(values) => match v.as_str() {
            Some(s) if values.contains(&s) => Ok(()),
            _ => bad(format!("one of {}", values.join(", "))),
        },
        Kind::StrMap => match v.as_object() {
            Some(m) if m.values().all(Value::is_string) => Ok(()),
            _ => bad("an object whose values are strings".into()),
        },
        Kind::StrList { max } => match v.as_array() {
            Some(items) if items.len() <= max && items.iter().all(Value::is_string) => Ok(()),
            _ => bad(format!("a list of at most {max} strings")),
        },
    }
}

/// A value for an error message, cut to a readable length.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &[Arg] = &[
        req("query", Kind::Str, "what to find"),
        opt("limit", Kind::Int { max: 100 }, "most hits"),
        opt("direction", Kind::Enum(&["in", "out"]), "which facts"),
    ];

    #[test]
    fn schemas_are_plain_objects() {
        let s = input_schema(SPEC);
        assert_eq!(s["type"], "object");
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["required"], json!(["query"]));
        for k in ["anyOf", "oneOf", "allOf"] {
            assert!(s.get(k).is_none());
        }
    }

    #[test]
    fn bad_arguments_are_named() {
        let e = validate(SPEC, Some(&json!({"query": "x", "nope": 1}))).unwrap_err();
        assert!(e.contains("unknown argument `nope`"), "{e}");
        let e = validate(SPEC, Some(&json!({}))).unwrap_err();
        assert!(e.contains("`query` is required"), "{e}");
        let e = validate(SPEC, Some(&json!({"query": "x", "limit": -1}))).unwrap_err();
        assert!(e.contains("limit = -1"), "{e}");
        let e = validate(SPEC, Some(&json!({"query": 3}))).unwrap_err();
        assert!(e.contains("query = 3: expected a string"), "{e}");
        let e = validate(SPEC, Some(&json!({"query": "x", "direction": "up"}))).unwrap_err();
        assert!(e.contains("one of in, out"), "{e}");
        assert!(validate(SPEC, Some(&json!([1]))).is_err());
        const LIST: &[Arg] = &[req("roles", Kind::StrList { max: 2 }, "readers")];
        let e = validate(LIST, Some(&json!({"roles": ["a", 1]}))).unwrap_err();
        assert!(
            e.contains("roles = [\"a\",1]: expected a list of at most 2 strings"),
            "{e}"
        );
        assert!(validate(LIST, Some(&json!({"roles": ["a", "b", "c"]}))).is_err());
        assert!(validate(LIST, Some(&json!({"roles": ["a", "b"]}))).is_ok());
        assert!(validate(SPEC, Some(&json!({"query": "x", "limit": 5}))).is_ok());
    }
}
