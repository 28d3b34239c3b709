// The LTI login and launch pages' only script: loads the platform-storage module (Rust, in
// lti-storage/) and runs it. It reads #lti-data and sets <html data-launch> to the outcome.
import init, { run } from '../pkg/lti-storage/cairn_lti_storage.js';

// The glue has no default module URL (nor does the core's: see app.mjs), so name the .wasm.
await init({ module_or_path: new URL('../pkg/lti-storage/cairn_lti_storage_bg.wasm', import.meta.url) });
try {
  await run();
} catch (error) {
  document.documentElement.setAttribute('data-launch', 'relaunch');
  console.warn('Cairn: platform storage failed', error);
}
