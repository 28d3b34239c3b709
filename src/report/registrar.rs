//! The registrar export (REQ-REPORT-08): one row per issuance, with the learner's
//! institutional id, the credential and its version, dates, credits, route and whether it
//! goes on the transcript; as JSON (the rows) and as CSV (RFC 4180, CRLF line ends, cells
//! that a spreadsheet would run as a formula prefixed with `'`).

use serde::Serialize;

use super::LearnerData;
use crate::definition::CredentialDefinition;
use crate::number::Number;
use crate::record::IssuanceStatus;

/// One issuance as the registrar sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistrarRow {
    /// The learner's institutional id.
    pub learner: String,
    /// The definition id.
    pub credential: String,
    /// Its name.
    pub name: String,
    /// The version the learner earned it under.
    pub version: String,
    /// Issue time.
    pub issued_at: String,
    /// End of validity (empty: none).
    pub valid_until: String,
    /// Revocation time (empty: none).
    pub revoked_at: String,
    /// `valid`, `expired` or `revoked` at the record's instant.
    pub status: IssuanceStatus,
    /// Credits (empty: none).
    pub credits: String,
    /// `course`, or the PLAR methods in effect at issue, joined by `+`.
    pub route: String,
    /// Credit-bearing (its flag, else credits > 0) and not revoked.
    pub transcriptable: bool,
}

/// The rows of every issuance of the roster, by learner (roster order), then issue time.
/// `definitions` holds every version the issuances name; an issuance of an unknown
/// definition or version is left out (it cannot be described).
pub fn registrar_rows(
    definitions: &[CredentialDefinition],
    roster: &[LearnerData<'_>],
) -> Vec<RegistrarRow> {
    let mut rows = Vec::new();
    for l in roster {
        let mut issuances: Vec<_> = l
            .record
            .credentials
            .values()
            .flat_map(|c| &c.issuances)
            .collect();
        issuances.sort_by_key(|i| (i.issued_at, i.definition.clone(), i.cycle));
        for i in issuances {
            let Some(def) = definitions
                .iter()
                .find(|d| d.id == i.definition && d.version == i.version)
            else {
                continue;
            };
            let credit_bearing = def
                .credit_bearing
                .unwrap_or_else(|| def.credits.as_ref().is_some_and(|c| *c > Number::zero()));
            let route = if i.plar_methods_used.is_empty() {
                "course".to_owned()
            } else {
                i.plar_methods_used
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join("+")
            };
            let text = |t: Option<crate::Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
            rows.push(RegistrarRow {
                learner: l.learner.to_owned(),
                credential: def.id.to_string(),
                name: def.name.clone(),
                version: i.version.clone(),
                issued_at: i.issued_at.to_string(),
                valid_until: text(i.valid_until),
                revoked_at: text(i.revoked_at),
                status: i.status,
                credits: def
                    .credits
                    .as_ref()
                    .map(Number::to_exact_string)
                    .unwrap_or_default(),
                route,
                transcriptable: credit_bearing && i.status != IssuanceStatus::Revoked,
            });
        }
    }
    rows
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 11] = [
    "learner",
    "credential",
    "name",
    "version",
    "issued_at",
    "valid_until",
    "revoked_at",
    "status",
    "credits",
    "route",
    "transcriptable",
];

/// One CSV cell: quoted when it holds a comma, a quote or a line break; a leading `=`, `+`,
/// `-`, `@`, tab or carriage return (a formula to a spreadsheet) is prefixed with `'`.
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The rows as CSV with a header line.
pub fn registrar_csv(rows: &[RegistrarRow]) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for r in rows {
        let status = match r.status {
            IssuanceStatus::NotIssued => "not_issued",
            IssuanceStatus::Valid => "valid",
            IssuanceStatus::Expired => "expired",
            IssuanceStatus::Revoked => "revoked",
        };
        let cells = [
            r.learner.as_str(),
            &r.credential,
            &r.name,
            &r.version,
            &r.issued_at,
            &r.valid_until,
            &r.revoked_at,
            status,
            &r.credits,
            &r.route,
            if r.transcriptable { "true" } else { "false" },
        ];
        out.push_str(&cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
    }
}
