//! JSON paths for error messages, and the scalar checks that report them (P2, P15).

use super::*;

/// A JSON path, built on the stack while walking and rendered only for messages.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    pub(super) parent: Option<&'a Path<'a>>,
    pub(super) seg: Seg<'a>,
}

#[derive(Clone, Copy)]
pub(super) enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Index(index),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut cur = Some(self);
        while let Some(p) = cur {
            segs.push(p.seg);
            cur = p.parent;
        }
        let mut out = String::from("$");
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// Scalar checks (P2, P15)
// ---------------------------------------------------------------------------------------

/// Refuses U+FFFE/U+FFFF in any key or string (P2) and integers beyond ±2^53 (P15).
pub(crate) fn check_scalars(value: &Value, path: &Path<'_>) -> Result<(), CredentialError> {
    match value {
        Value::String(s) => check_text(s, path),
        Value::Number(n) => check_number(n, path),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_scalars(item, &path.index(i))?;
            }
            Ok(())
        }
        Value::Object(map) => {
            for (k, v) in map {
                let p = path.key(k);
                check_text(k, &p)?;
                check_scalars(v, &p)?;
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) => Ok(()),
    }
}

pub(super) fn check_text(s: &str, path: &Path<'_>) -> Result<(), CredentialError> {
    // U+FFFE and U+FFFF are EF BF BE / EF BF BF in UTF-8: look for the lead byte first.
    if !s.as_bytes().contains(&0xEF) {
        return Ok(());
    }
    if let Some(c) = s.chars().find(|&c| c == '\u{FFFE}' || c == '\u{FFFF}') {
        return Err(CredentialError::Noncharacter {
            path: path.render(),
            character: format!("U+{:04X}", u32::from(c)),
        });
    }
    Ok(())
}

pub(super) fn check_number(n: &Number, path: &Path<'_>) -> Result<(), CredentialError> {
    let unsafe_int = match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => u > MAX_SAFE_INTEGER,
        (None, Some(i)) => i.unsigned_abs() > MAX_SAFE_INTEGER,
        (None, None) => false,
    };
    if unsafe_int {
        return Err(CredentialError::UnsafeNumber {
            value: n.to_string(),
            path: path.render(),
        });
    }
    Ok(())
}
