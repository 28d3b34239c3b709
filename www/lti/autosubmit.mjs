// Submits the page's form marked data-autosubmit (the OIDC auth request when it is too long
// for a redirect). A module file, so the page's CSP needs no inline script.
const form = document.querySelector('form[data-autosubmit]');
if (form) form.submit();
