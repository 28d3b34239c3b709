//! LMS gradebook exports, pure: reads a Canvas or Moodle gradebook CSV into one row per
//! learner with the scores of the columns the instructor mapped to assessments. The file is
//! RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF). A file-level problem is one
//! [`GradebookError`]; a bad cell or row is a [`RowError`] with its line and column, so the
//! preview can show every row's fate at once.
//!
//! The two shapes:
//! - **Canvas**: `Student,ID,SIS User ID,SIS Login ID,Section,<Assignment> (<id>),…`, then a
//!   `Points Possible` row (and, in newer exports, a `(read only)`/`Manual Posting` row);
//!   an empty cell is no grade, `EX` is excused (no grade).
//! - **Moodle**: `First name,Last name,ID number,Institution,Department,Email address,
//!   <Kind>: <Name> (Real),…,Last downloaded from this course`; `-` is no grade.
//!
//! Which column names the learner is chosen by the instructor (default: `ID` for Canvas,
//! `ID number` for Moodle); its value must be the learner's LTI `sub` in this context.

use cairn::number::Number;
use serde::Serialize;
use utoipa::ToSchema;

/// Most data rows in one file.
pub const MAX_ROWS: usize = 10_000;

pub use cairn_api_types::gradebook::{ColumnMapping, GradebookFormat};

/// One learner's row: the scores found in the mapped columns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradebookRow {
    /// 1-based line of the file.
    pub line: usize,
    /// The learner's `sub` (from the learner column).
    pub learner: String,
    /// (assessment, score) per mapped column with a grade, in mapping order.
    pub scores: Vec<(String, Number)>,
}

/// A bad row or cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RowError {
    /// 1-based line of the file.
    pub line: usize,
    /// The column, when one cell is at fault.
    pub column: Option<String>,
    /// A stable code: `missing_learner`, `duplicate_learner`, `invalid_score`,
    /// `wrong_field_count`.
    pub code: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

/// A problem with the file as a whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GradebookError {
    /// The file is empty or has only blank lines.
    #[error("the file has no header row")]
    NoHeader,
    /// A quoted field is never closed.
    #[error("line {0}: a quoted field is not closed")]
    UnclosedQuote(usize),
    /// A column the mapping or the learner column names is not in the header.
    #[error("the header has no column {0:?}")]
    UnknownColumn(String),
    /// A column header appears twice.
    #[error("the header names the column {0:?} twice")]
    DuplicateColumn(String),
    /// The mapping maps no column.
    #[error("map at least one column to an assessment")]
    NoMapping,
    /// More data rows than [`MAX_ROWS`].
    #[error("the file has more than {MAX_ROWS} rows; split it")]
    TooManyRows,
}

impl GradebookError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            GradebookError::NoHeader => "csv_no_header",
            GradebookError::UnclosedQuote(_) => "csv_unclosed_quote",
            GradebookError::UnknownColumn(_) => "csv_unknown_column",
            GradebookError::DuplicateColumn(_) => "csv_duplicate_column",
            GradebookError::NoMapping => "csv_no_mapping",
            GradebookError::TooManyRows => "csv_too_many_rows",
        }
    }
}

/// The file read: the shape, the good rows and the bad ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradebook {
    /// The shape.
    pub format: GradebookFormat,
    /// The learners' rows that read.
    pub rows: Vec<GradebookRow>,
    /// The rows or cells that did not.
    pub errors: Vec<RowError>,
}

/// Reads a gradebook export. `format` `None` detects it from the header (Canvas unless it
/// looks like Moodle); `learner_column` `None` takes the shape's default.
pub fn parse(
    text: &str,
    format: Option<GradebookFormat>,
    learner_column: Option<&str>,
    mapping: &[ColumnMapping],
) -> Result<Gradebook, GradebookError> {
    if mapping.is_empty() {
        return Err(GradebookError::NoMapping);
    }
    let records = records(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let mut lines = records.into_iter().filter(|(_, r)| !is_blank(r));
    let (_, header) = lines.next().ok_or(GradebookError::NoHeader)?;
    let header: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    for (i, h) in header.iter().enumerate() {
        if !h.is_empty() && header[..i].contains(h) {
            return Err(GradebookError::DuplicateColumn(h.clone()));
        }
    }
    let format = format
        .or_else(|| GradebookFormat::detect(&header))
        .unwrap_or(GradebookFormat::Canvas);
    let learner_column = learner_column.unwrap_or(format.default_learner_column());
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name.trim())
            .ok_or_else(|| GradebookError::UnknownColumn(name.to_owned()))
    };
    let learner_at = find(learner_column)?;
    let mapped: Vec<(usize, &ColumnMapping)> = mapping
        .iter()
        .map(|m| find(&m.column).map(|i| (i, m)))
        .collect::<Result<_, _>>()?;
    let mut rows: Vec<GradebookRow> = Vec::new();
    let mut errors = Vec::new();
    let mut data_rows = 0usize;
    for (line, record) in lines {
        if format == GradebookFormat::Canvas && is_canvas_meta_row(&record) {
            continue;
        }
        data_rows += 1;
        if data_rows > MAX_ROWS {
            return Err(GradebookError::TooManyRows);
        }
        if record.len() != header.len() {
            errors.push(RowError {
                line,
                column: None,
                code: "wrong_field_count",
                message: format!(
                    "the row has {} fields, the header {}",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        let learner = record[learner_at].trim().to_owned();
        if learner.is_empty() {
            errors.push(RowError {
                line,
                column: Some(learner_column.to_owned()),
                code: "missing_learner",
                message: format!("the learner column {learner_column:?} is empty"),
            });
            continue;
        }
        if let Some(first) = rows.iter().find(|r| r.learner == learner) {
            errors.push(RowError {
                line,
                column: Some(learner_column.to_owned()),
                code: "duplicate_learner",
                message: format!("learner {learner:?} is on line {} already", first.line),
            });
            continue;
        }
        let mut scores = Vec::new();
        let mut bad = false;
        for (at, m) in &mapped {
            match cell_score(format, &record[*at]) {
                Ok(Some(score)) => scores.push((m.assessment.clone(), score)),
                Ok(None) => {}
                Err(message) => {
                    bad = true;
                    errors.push(RowError {
                        line,
                        column: Some(m.column.clone()),
                        code: "invalid_score",
                        message,
                    });
                }
            }
        }
        if !bad {
            rows.push(GradebookRow {
                line,
                learner,
                scores,
            });
        }
    }
    Ok(Gradebook {
        format,
        rows,
        errors,
    })
}

/// A cell's score: `Ok(None)` for no grade (empty, Canvas `EX`, Moodle `-`).
fn cell_score(format: GradebookFormat, cell: &str) -> Result<Option<Number>, String> {
    let cell = cell.trim();
    let no_grade = cell.is_empty()
        || (format == GradebookFormat::Canvas && cell.eq_ignore_ascii_case("EX"))
        || (format == GradebookFormat::Moodle && cell == "-");
    if no_grade {
        return Ok(None);
    }
    Number::parse_decimal(cell).map(Some).map_err(|err| {
        format!("{cell:?} is not a score: write points as a decimal such as 17.5 ({err})")
    })
}

/// Canvas's rows under the header that are not learners: `Points Possible`, and the
/// `(read only)` / `Manual Posting` / `Muted` row of newer exports (empty first cell).
fn is_canvas_meta_row(record: &[String]) -> bool {
    let first = record.first().map(|c| c.trim()).unwrap_or_default();
    if first == "Points Possible" {
        return true;
    }
    first.is_empty()
        && record.iter().any(|c| {
            let c = c.trim();
            c == "(read only)" || c == "Manual Posting" || c == "Muted"
        })
}

fn is_blank(record: &[String]) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// Splits CSV text into records with the 1-based line each starts on.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, GradebookError> {
    let mut out = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1usize;
    let mut start = 1usize;
    let mut quoted = false;
    let mut quote_line = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                quote_line = line;
            }
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut record)));
                line += 1;
                start = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(GradebookError::UnclosedQuote(quote_line));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push((start, record));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(column: &str, assessment: &str) -> ColumnMapping {
        ColumnMapping {
            column: column.into(),
            assessment: assessment.into(),
        }
    }

    const CANVAS: &str = "Student,ID,SIS User ID,SIS Login ID,Section,Final exam (1201),Current Points\r\n\
        \"    Points Possible\",,,,,20.00,20.00\r\n\
        ,,,,,Manual Posting,\r\n\
        \"Lovelace, Ada\",u-ada,A1,ada,S1,17.5,17.5\r\n\
        \"Hopper, Grace\",u-grace,A2,grace,S1,EX,0\r\n\
        \"Turing, Alan\",u-alan,A3,alan,S1,seventeen,0\r\n\
        \"Noether, Emmy\",,A4,emmy,S1,12,12\r\n";

    #[test]
    fn a_canvas_export_reads_scores_skipping_its_meta_rows() {
        let book = parse(CANVAS, None, None, &[map("Final exam (1201)", "EXAM")]).unwrap();
        assert_eq!(book.format, GradebookFormat::Canvas);
        assert_eq!(book.rows.len(), 2, "{:?}", book.rows);
        assert_eq!(book.rows[0].learner, "u-ada");
        assert_eq!(book.rows[0].line, 4);
        assert_eq!(
            book.rows[0].scores,
            vec![("EXAM".to_owned(), Number::parse_decimal("17.5").unwrap())]
        );
        assert!(book.rows[1].scores.is_empty(), "EX is no grade");
        let codes: Vec<(usize, &str)> = book.errors.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(codes, vec![(6, "invalid_score"), (7, "missing_learner")]);
    }

    #[test]
    fn a_moodle_export_reads_with_its_own_defaults() {
        let moodle = "First name,Last name,ID number,Institution,Department,Email address,Quiz: Final (Real),Last downloaded from this course\n\
            Ada,Lovelace,7,,,ada@example.com,18.00,1760000000\n\
            Grace,Hopper,8,,,grace@example.com,-,1760000000\n\
            Alan,Turing,7,,,alan@example.com,3,1760000000\n\
            Emmy,Noether,9,,,emmy@example.com\n";
        let book = parse(moodle, None, None, &[map("Quiz: Final (Real)", "EXAM")]).unwrap();
        assert_eq!(book.format, GradebookFormat::Moodle);
        assert_eq!(book.rows.len(), 2);
        assert_eq!(book.rows[0].learner, "7");
        assert!(book.rows[1].scores.is_empty(), "- is no grade");
        let codes: Vec<&str> = book.errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, vec!["duplicate_learner", "wrong_field_count"]);
    }

    #[test]
    fn file_level_problems_are_typed() {
        let m = [map("Final", "EXAM")];
        assert_eq!(
            parse("", None, None, &m).unwrap_err(),
            GradebookError::NoHeader
        );
        assert_eq!(
            parse("Student,ID,\"Final\n", None, None, &m).unwrap_err(),
            GradebookError::UnclosedQuote(1)
        );
        assert_eq!(
            parse("Student,ID,Other\n", None, None, &m)
                .unwrap_err()
                .code(),
            "csv_unknown_column"
        );
        assert_eq!(
            parse("Student,ID,Final,Final\n", None, None, &m).unwrap_err(),
            GradebookError::DuplicateColumn("Final".into())
        );
        assert_eq!(
            parse("Student,ID\n", None, None, &[]).unwrap_err(),
            GradebookError::NoMapping
        );
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_newlines() {
        let text = "Student,ID,Final\n\"Doe, \"\"J\"\"\nJr\",u1,5\n";
        let recs = records(text).unwrap();
        assert_eq!(recs[1].1[0], "Doe, \"J\"\nJr");
        let book = parse(text, None, None, &[map("Final", "EXAM")]).unwrap();
        assert_eq!(book.rows[0].learner, "u1");
        assert_eq!(book.rows[0].line, 2);
    }
}
