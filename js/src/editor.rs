//! What the credential editor needs from the core beyond validation: CASE 1.1 framework
//! import (`case::import` on a `CFPackage`, returned as the core's `Framework`) and the
//! generated default badge (the SVG the server bakes when a definition has no image), so
//! the editor previews exactly what will be issued. Translation only. Behind the `verifier`
//! feature with the credential code: only the editor needs it, and it loads the full module.

use cairn::case;
use cairn::credential::image::default_badge_svg;
use cairn::error::Error;
use wasm_bindgen::prelude::*;

use crate::{JsCoreError, to_js};

/// Imports a CASE package (JSON text) as the core reads it. Throws an `Error` with the core's
/// `code` (a `case_…` code) when the package cannot be imported.
#[wasm_bindgen(js_name = importCase, unchecked_return_type = "CaseFramework")]
pub fn import_case(
    #[wasm_bindgen(js_name = packageJson)] package_json: &str,
) -> Result<JsValue, JsCoreError> {
    let framework = case::import(package_json).map_err(Error::from)?;
    to_js(&framework)
}

/// The generated default badge of a definition without an image: SVG text drawn from its
/// `name`, `human_code` (empty: none) and `id` (which picks the colour).
#[wasm_bindgen(js_name = defaultBadgeSvg)]
pub fn default_badge(
    name: &str,
    #[wasm_bindgen(js_name = humanCode)] human_code: &str,
    id: &str,
) -> String {
    let code = (!human_code.is_empty()).then_some(human_code);
    default_badge_svg(name, code, id)
}
