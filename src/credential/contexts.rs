//! The pinned JSON-LD contexts (`spec/badges.md` D4): the exact bytes of
//! `../shared/vectors/contexts/` that Cairn reads at run time, embedded with `include_str!`
//! so the native server and the browser's wasm carry the same documents, plus the CIS
//! inline context constant (§2.3). Never fetches a URL: a context that is not listed here
//! is refused (`context_unknown`). A test pins each file's SHA-256 to `CONTEXTS.sha256`.

/// The W3C Verifiable Credentials 2.0 context URL (`@context[0]` of every credential).
pub const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The Open Badges 3.0.3 context URL Cairn emits (`@context[1]`).
pub const OB_V3P0_3_0_3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The Open Badges extensions context (`1EdTechJsonSchemaValidator2019`, …), always third (P4).
pub const OB_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";
/// The CLR 2.0.1 context URL.
pub const CLR_V2P0_2_0_1: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";
/// The Data Integrity v2 context URL.
pub const DATA_INTEGRITY_V2: &str = "https://w3id.org/security/data-integrity/v2";
/// The Multikey v1 context URL (controller documents).
pub const MULTIKEY_V1: &str = "https://w3id.org/security/multikey/v1";
/// The DID v1 context URL (controller documents).
pub const DID_V1: &str = "https://www.w3.org/ns/did/v1";

/// The CIS extension context (§2.3): one inline context object appended as the last
/// `@context` item when a credential carries `cis*` properties. Exact bytes of
/// `../shared/vectors/project/cis-context.json`.
pub const CIS_CONTEXT_JSON: &str = include_str!("contexts/cis-v1.json");

/// One pinned context document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnedContext {
    /// The URL credentials name it by.
    pub url: &'static str,
    /// The file name in `../shared/vectors/contexts/` (and `src/credential/contexts/`).
    pub file: &'static str,
    /// The exact bytes.
    pub text: &'static str,
}

macro_rules! pinned {
    ($url:expr, $file:literal) => {
        PinnedContext {
            url: $url,
            file: $file,
            text: include_str!(concat!("contexts/", $file)),
        }
    };
}

/// Every context Cairn loads at run time, by URL. Only these are ever processed.
pub const PINNED: &[PinnedContext] = &[
    pinned!(VC_V2, "credentials-v2.jsonld"),
    pinned!(OB_V3P0_3_0_3, "ob-v3p0-context-3.0.3.json"),
    pinned!(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "ob-v3p0-context-3.0.2.json"
    ),
    pinned!(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "ob-v3p0-context-3.0.1.json"
    ),
    pinned!(
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "ob-v3p0-context.json"
    ),
    pinned!(OB_EXTENSIONS, "ob-v3p0-extensions.json"),
    pinned!(CLR_V2P0_2_0_1, "clr-v2p0-context-2.0.1.json"),
    pinned!(DATA_INTEGRITY_V2, "data-integrity-v2.jsonld"),
    pinned!(MULTIKEY_V1, "multikey-v1.jsonld"),
    pinned!(DID_V1, "did-v1.jsonld"),
];

/// The pinned document for `url`, if it is one.
pub fn pinned(url: &str) -> Option<&'static PinnedContext> {
    PINNED.iter().find(|c| c.url == url)
}
