//! The size limit of every JSON request body of the API ([`ApiBody`]). The bodies themselves
//! are defined once in `cairn-api-types` (re-exported here), which the page's client shares,
//! so the server and the page cannot drift; a definition is the core's
//! `CredentialDefinition`. The fuzz targets (`fuzz/fuzz_targets/api_bodies.rs`) read each one.

pub use cairn_api_types::bodies::*;

use crate::api::error::ApiBody;
use crate::api::scoring::ItemSet;

impl ApiBody for EnrolBody {}
impl ApiBody for WithdrawalBody {}
impl ApiBody for ResultBody {}
impl ApiBody for GradingBody {}
impl ApiBody for FeedbackBody {}
impl ApiBody for OverrideBody {}
impl ApiBody for PlarDecisionBody {}
impl ApiBody for PlarRequestBody {}
impl ApiBody for SubmissionBody {}
impl ApiBody for AnswersBody {
    const MAX_BYTES: usize = 256 * 1024;
}
impl ApiBody for ItemSet {
    const MAX_BYTES: usize = 1024 * 1024;
}
impl ApiBody for ApplicationBody {}
impl ApiBody for PresentedBody {}
impl ApiBody for EquivalencyBody {}
impl ApiBody for ExpiryBody {}
impl ApiBody for ImportBody {
    const MAX_BYTES: usize = 4 * 1024 * 1024;
}
