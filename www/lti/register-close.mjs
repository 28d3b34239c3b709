// Dynamic Registration's last step (LTI Dynamic Registration 1.0 §3.6): tell the platform's
// registration window that Cairn is done, so it closes the frame or window. A module file, so
// the page's CSP needs no inline script.
const target = window.opener || window.parent;
if (target && target !== window) {
  target.postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
}
