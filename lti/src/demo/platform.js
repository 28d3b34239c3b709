// The demo platform's page script (a stand-in LMS, so plain JS). Four jobs, picked by
// <body data-page>: "autosubmit" submits the OIDC form_post; "course" answers
// lti.capabilities and labels the launched person; "storage" is Canvas's
// post_message_forwarding frame answering lti.put_data / lti.get_data; "registration" reloads
// (listing the new tool, with a fresh token) when the tool's frame says
// org.imsglobal.lti.close.
// Messages are answered only for the tool's origin (data-tool-origin), to that origin.
'use strict';

(function () {
  const body = document.body;
  const page = body.dataset.page;
  const toolOrigin = body.dataset.toolOrigin || '';
  const STORAGE_FRAME = 'post_message_forwarding';
  const MAX_KEYS = 500;
  const MAX_KEY_LENGTH = 1024;
  const MAX_VALUE_LENGTH = 4096;

  if (page === 'autosubmit') {
    const form = document.getElementById('autosubmit');
    if (form) form.submit();
    return;
  }

  if (page === 'registration') {
    window.addEventListener('message', (event) => {
      if (!toolOrigin || event.origin !== toolOrigin) return;
      if (event.data && event.data.subject === 'org.imsglobal.lti.close') window.location.reload();
    });
    return;
  }

  if (page === 'course') {
    const status = document.getElementById('now-showing');
    for (const form of document.querySelectorAll('form[data-label]')) {
      form.addEventListener('submit', () => {
        if (status) status.textContent = 'Now showing Cairn, launched from ' + form.dataset.label + '.';
      });
    }
  }

  if (page !== 'course' && page !== 'storage') return;

  // Values per tool origin, for the life of this frame (as Canvas keeps them).
  const stored = new Map();

  function plainSubject(subject) {
    // Tools may spell subjects org.imsglobal.lti.* (lti-pm-s).
    return typeof subject === 'string' ? subject.replace(/^org\.imsglobal\./, '') : '';
  }

  function capabilities() {
    return [
      { subject: 'lti.capabilities' },
      { subject: 'lti.put_data', frame: STORAGE_FRAME },
      { subject: 'lti.get_data', frame: STORAGE_FRAME },
    ];
  }

  function answer(data, origin) {
    const subject = plainSubject(data.subject);
    const reply = { subject: data.subject + '.response', message_id: data.message_id };
    const fail = (code, message) => Object.assign(reply, { error: { code, message } });
    if (subject === 'lti.capabilities') {
      reply.supported_messages = capabilities();
      return reply;
    }
    if (subject !== 'lti.put_data' && subject !== 'lti.get_data') {
      return fail('unsupported_subject', 'unknown subject ' + subject);
    }
    if (page !== 'storage') {
      return fail('unsupported_subject', subject + ' is answered by the ' + STORAGE_FRAME + ' frame');
    }
    if (typeof data.key !== 'string' || data.key === '' || data.key.length > MAX_KEY_LENGTH) {
      return fail('bad_request', 'key must be a non-empty string of at most ' + MAX_KEY_LENGTH + ' characters');
    }
    const values = stored.get(origin) || new Map();
    if (subject === 'lti.put_data') {
      if (typeof data.value !== 'string' || data.value.length > MAX_VALUE_LENGTH) {
        return fail('bad_request', 'value must be a string of at most ' + MAX_VALUE_LENGTH + ' characters');
      }
      if (!values.has(data.key) && values.size >= MAX_KEYS) {
        return fail('storage_exhausted', 'at most ' + MAX_KEYS + ' keys per tool');
      }
      values.set(data.key, data.value);
      stored.set(origin, values);
      reply.key = data.key;
      reply.value = data.value;
      return reply;
    }
    reply.key = data.key;
    reply.value = values.get(data.key);
    return reply;
  }

  window.addEventListener('message', (event) => {
    // Only the tool's origin may use this platform's storage; others get no answer.
    if (!toolOrigin || event.origin !== toolOrigin || !event.source) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || !plainSubject(data.subject).startsWith('lti.')) return;
    if (plainSubject(data.subject).endsWith('.response')) return;
    event.source.postMessage(answer(data, event.origin), event.origin);
  });
})();
