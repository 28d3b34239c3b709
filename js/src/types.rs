//! The TypeScript types of what the binding's non-credential exports return, added to the
//! generated `.d.ts` (wasm-bindgen's `typescript_custom_section`); each export names its
//! type with `unchecked_return_type`. They follow the core's serde output: snake_case
//! names, exact numbers and instants as strings, absent optional members omitted.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** An exact number as text: a decimal ("86.5") or a fraction ("260/3"). */
export type Exact = string;
/** An instant, `YYYY-MM-DDTHH:MM:SSZ`. */
export type Instant = string;

/** What every export throws when the core refuses an input. */
export interface CairnError extends Error {
  /** The core's stable error code, such as `invalid_json` or `unknown_method`. */
  code: string;
}

/** A validator finding (README §10). */
export interface Finding {
  code: string;
  severity: "error" | "warning";
  ref: string;
  message: string;
}

export type MasteryStatus = "not_started" | "in_progress" | "not_yet" | "mastered";
export type IssuanceStatus = "not_issued" | "valid" | "expired" | "revoked";
export type EquivalencyStatus = "claimed" | "eligible" | "not_eligible";
export type Route = "course" | "challenge_exam" | "direct_assessment";
export type PlarMethod =
  | "challenge_exam" | "course_based" | "credit_bank" | "direct_assessment" | "portfolio";

/** What the learner can do next on an assessment. */
export type NextStep =
  | { step: "attempt"; opens_at: Instant; attempts_left: number | null; deadline?: Instant }
  | { step: "wait_for_feedback"; attempt: number }
  | { step: "wait_for_grading"; attempt: number }
  | { step: "no_attempt_left"; max: number }
  | { step: "deadline_passed"; deadline: Instant }
  | { step: "passed" };

/** Progress of a rule node: satisfied children (or points reached) of the total. */
export interface Progress {
  satisfied: Exact;
  of: Exact;
}

/** One node of a criteria explanation tree. */
export interface Explanation {
  rule: "all" | "any" | "at_least" | "points" | "competency" | "all_competencies"
    | "assessment" | "submitted" | "credential";
  /** The id a leaf names. */
  target?: string;
  satisfied: boolean;
  progress: Progress;
  /** For `at_least`: how many children must hold. */
  k?: number;
  /** For an entry of a `points` rule: the points it gives. */
  points?: Exact;
  /** For an entry of a `points` rule: whether it is required. */
  required?: boolean;
  /** For an unmet assessment leaf: the next step open to the learner. */
  next?: NextStep;
  children?: Explanation[];
}

/** A rejected event: its index in the log as given, the rule's code and a sentence. */
export interface RejectedEvent {
  event: number;
  code: string;
  message: string;
}

export interface CompetencyRecord {
  definition: string;
  status: MasteryStatus;
  score: Exact | null;
  reported: string | null;
  threshold_percent: Exact;
  source?: "plar" | "assessment";
  plar_method?: PlarMethod;
  /** Who decided the PLAR grant (REQ-ASSESS-09, REQ-PLAR-09). */
  granted_by?: Assessor;
  /** The rubric version the PLAR grant was decided with (REQ-PLAR-09). */
  granted_rubric?: RubricRef;
  /** Time ranges of recordings mapped to this competency (REQ-ASSESS-08, REQ-PLAR-13). */
  evidence?: EvidenceLink[];
}

/** One version of a shared rubric (REQ-ASSESS-06). */
export interface RubricRef {
  id: string;
  version: string;
}

export type AssessorType = "instructor" | "content_expert" | "workplace_assessor" | "peer" | "self" | "automated";

export interface Assessor {
  type: AssessorType;
  id: string;
}

export type SupervisionMode = "unsupervised_no_id" | "supervised_no_id" | "supervised_online" | "onsite_with_id";

export interface EvidenceRef {
  /** An http(s) URL or `sha256:<64 hex>`. */
  ref: string;
  type: string;
  segments?: { start_seconds: number; end_seconds: number; competencies: string[] }[];
}

export interface EvidenceLink {
  ref: string;
  type: string;
  start_seconds: number;
  end_seconds: number;
  assessment: string;
  attempt: number;
}

export interface AttemptRecord {
  number: number;
  at: Instant;
  route: Route;
  counted: boolean;
  cycle: number;
  /** Waiting for a grader. */
  pending: boolean;
  scored: boolean;
  percent: Exact | null;
  reported: string | null;
  /** The assessment's supervision mode, when supervised (REQ-ASSESS-10). */
  supervision?: SupervisionMode;
  assessor?: Assessor;
  attested_by?: string;
  evidence?: EvidenceRef[];
  /** Accepted overrides, oldest first (REQ-ATTEMPT-12). */
  overrides?: { at: Instant; by: string; reason: string }[];
  /** The shared rubric version it was scored with (REQ-ASSESS-06). */
  rubric?: RubricRef;
}

export interface AssessmentRecord {
  definition: string;
  kind: "summative" | "formative";
  attempts_counted: number;
  kept_percent: Exact | null;
  kept_reported: string | null;
  kept_points: Exact | null;
  passed: boolean;
  /** The achievement level above pass of the kept result (REQ-ASSESS-12). */
  level?: string;
  cycle: number;
  attempts: AttemptRecord[];
  /** Feedback released, oldest first (REQ-ATTEMPT-04). */
  feedback?: { attempt?: number; at: Instant; text?: string; author?: string }[];
  next?: NextStep;
}

export interface IssuanceRecord {
  definition: string;
  version: string;
  cycle: number;
  issued_at: Instant;
  valid_until: Instant | null;
  revoked_at?: Instant;
  status: IssuanceStatus;
  plar_methods_used: PlarMethod[];
  /** The definition's achievement level at issue time (REQ-ASSESS-12). */
  level?: string;
  /** A correction: the `cycle` of the issuance it replaces (REQ-ISSUE-06). */
  reissue_of?: number;
  reissue_reason?: string;
  /** First award time, carried over by a correction. */
  awarded_at?: Instant;
}

export interface CredentialRecord {
  version: string;
  status: IssuanceStatus;
  issued_at: Instant | null;
  valid_until: Instant | null;
  plar_methods_used: PlarMethod[];
  criteria_met: boolean;
  progress: Progress;
  issuances: IssuanceRecord[];
  explanation: Explanation;
  /** The offering joined at enrolment (REQ-DEF-12). */
  offering?: string;
  /** When the learner withdrew (REQ-COMP-10). */
  withdrawn_at?: Instant;
}

/** A PLAR case: requested → assessing → decided (REQ-PLAR-08). */
export interface PlarCase {
  case: string;
  credential: string;
  method: PlarMethod;
  competency?: string;
  component?: string;
  state: "requested" | "assessing" | "decided";
  requested_at: Instant;
  assessments: { at: Instant; assessor: Assessor; recommendation: "grant" | "deny"; rubric?: RubricRef }[];
  decision?: { at: Instant; granted: boolean; assessor?: Assessor; rubric?: RubricRef; reason?: string };
}

export interface EquivalencyRecord {
  definition: string;
  status: EquivalencyStatus;
  credits: Exact;
}

/** A learner's record as of an instant: `record = fold(definitions, events, at)`. */
export interface LearnerRecord {
  at: Instant;
  errors: RejectedEvent[];
  competencies: { [id: string]: CompetencyRecord };
  assessments: { [id: string]: AssessmentRecord };
  credentials: { [id: string]: CredentialRecord };
  equivalencies: { [id: string]: EquivalencyRecord };
  validation: Finding[];
  /** PLAR cases, in request order (REQ-PLAR-08). */
  plar_cases?: PlarCase[];
}

/**
 * A roster's summaries by column (`Roster.summarize`). Learner `i`'s entry for the `j`-th id
 * of a group is at `i * ids.length + j` in each of that group's arrays; ids follow the
 * course's definition order, learners the roster's order.
 */
/** A CASE framework as the core imported it (`spec/mastery.md` §8). */
export interface CaseFramework {
  document: { identifier: string; uri: string; creator: string; title: string;
    last_change_date_time: string; version?: string | null; language?: string | null };
  /** Every item in tree order; `id` is the competency id the editor uses. */
  items: {
    id: string; uri: string; full_statement: string; human_coding_scheme: string | null;
    abbreviated_statement: string | null; item_type: string | null; parent: string | null; depth: number;
  }[];
  associations: unknown[];
  external_links: number[];
  warnings: { code: string; message: string; count: number }[];
  strict_v1p1_errors: string[];
}

export interface RosterSummaries {
  /** Learner ids, in roster order. */
  learners: string[];
  /** Per learner: how many events were rejected. */
  rejected: number[];
  competencies: {
    ids: string[];
    status: MasteryStatus[];
    score: (Exact | null)[];
    /** The core's reported score (exactly 2 decimals), or null. */
    reported: (string | null)[];
  };
  assessments: {
    ids: string[];
    /** Counted attempts (current cycle). */
    attempts_counted: number[];
    kept_percent: (Exact | null)[];
    /** The core's reported kept percent (exactly 2 decimals), or null. */
    kept_reported: (string | null)[];
    passed: boolean[];
  };
  /** Per credential definition: its latest issuance. */
  credentials: {
    ids: string[];
    status: IssuanceStatus[];
    issued_at: (Instant | null)[];
  };
}

/**
 * The what-if panel's roster result (`Roster.statusesWith`): every learner's statuses as
 * one byte each, learner-major, where learner `i`'s status of id `j` is
 * `status[i * ids.length + j]` and a byte `b` means `names[b]`.
 */
export interface RosterStatuses {
  /** Learner ids, in roster order. */
  learners: string[];
  competencies: {
    ids: string[];
    names: MasteryStatus[];
    status: Uint8Array;
  };
  /** Per credential definition: the status of its latest issuance. */
  credentials: {
    ids: string[];
    names: IssuanceStatus[];
    status: Uint8Array;
  };
}

/**
 * Learners of a roster folded on an earlier version of a definition than its latest
 * (`Roster.earlierVersions`; REQ-LIFE-02): a what-if changes the latest version only.
 */
export interface EarlierVersion {
  definition: string;
  version: string;
  learners: number;
}

/** A calculation method's result on evidence rows (`spec/mastery.md` §2–3). */
export interface CalculationOutcome {
  /** The reported value with exactly 2 decimals, or null. */
  value: string | null;
  exact: Exact | null;
  mastered: boolean | null;
  reason: "no_evidence" | "fewer_than_n" | null;
}

/** A parent's roll-up from its children (`spec/mastery.md` §4). */
export interface RollupOutcome {
  proficient: boolean;
  /** For a `points` rule, the points of the proficient listed children. */
  points: number | null;
}

/** An award rule evaluated on given facts. */
export interface CriteriaOutcome {
  satisfied: boolean;
  progress: Progress;
  explanation: Explanation;
}

/** A count out of a total, with the exact percent and its 2-decimal form. */
export interface Rate {
  count: number;
  of: number;
  percent: Exact | null;
  reported: string | null;
}

/** The reports of one definition over a roster (`Roster.reports`; `docs/format.md` §12). */
export interface CourseReports {
  funnel: {
    definition: string; seats: number | null; registered: number; withdrawn: number;
    attempted_all: number; completed: number; failed_summative: number;
  };
  completion: {
    definition: string; overall: Rate; withdrawn: number;
    by_route: { [route: string]: Rate };
    by_attempt: { [attempt: string]: Rate };
  };
  problems: { kind: "competency" | "criterion"; id: string; assessment?: string; not_yet: Rate }[];
  uptake: { equivalency: string; title: string; claimed: Rate }[];
}
"#;
