// The LTI login and launch pages' only script: loads the platform-storage module (Rust, in
// lti-storage/) and runs it. It reads #lti-data and sets <html data-launch> to the outcome.
import init, { run } from '../pkg/lti-storage/cairn_lti_storage.js';

await init();
try {
  await run();
} catch (error) {
  document.documentElement.setAttribute('data-launch', 'relaunch');
  console.warn('Cairn: platform storage failed', error);
}
