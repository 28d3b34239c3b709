// The demo platform's page script (lti/src/demo/platform.js) in a small fake browser: the
// Canvas-flavour storage frame answers lti.capabilities, lti.put_data and lti.get_data for the
// tool's origin only, replies to that origin, and the course page answers capabilities only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const SCRIPT = readFileSync(new URL('../../lti/src/demo/platform.js', import.meta.url), 'utf8');
const TOOL = 'http://localhost:8080';

/** Runs the script as page `page`; returns a function that delivers one message event. */
function load(page) {
  let listener = null;
  const context = {
    document: {
      body: { dataset: { page, toolOrigin: TOOL } },
      getElementById: () => null,
      querySelectorAll: () => [],
    },
    window: {
      addEventListener: (type, handler) => {
        if (type === 'message') listener = handler;
      },
    },
  };
  vm.runInNewContext(SCRIPT, context);
  assert.ok(listener, 'a message listener is installed');
  return (origin, data) => {
    const replies = [];
    listener({ origin, data, source: { postMessage: (reply, to) => replies.push({ reply, to }) } });
    return replies;
  };
}

test('the storage frame stores and returns values for the tool', () => {
  const send = load('storage');
  const [caps] = send(TOOL, { subject: 'lti.capabilities', message_id: 'm1' });
  assert.equal(caps.to, TOOL);
  assert.equal(caps.reply.subject, 'lti.capabilities.response');
  assert.equal(caps.reply.message_id, 'm1');
  const subjects = JSON.parse(JSON.stringify(caps.reply.supported_messages.map((m) => m.subject)));
  assert.deepEqual(subjects, ['lti.capabilities', 'lti.put_data', 'lti.get_data']);
  assert.equal(caps.reply.supported_messages[1].frame, 'post_message_forwarding');

  const [put] = send(TOOL, { subject: 'lti.put_data', message_id: 'm2', key: 'lti_state_abc', value: 'abc' });
  assert.equal(put.reply.subject, 'lti.put_data.response');
  assert.equal(put.reply.error, undefined);
  const [got] = send(TOOL, { subject: 'lti.get_data', message_id: 'm3', key: 'lti_state_abc' });
  assert.equal(got.reply.value, 'abc');
  assert.equal(got.reply.message_id, 'm3');

  // org.imsglobal.* spellings are answered in kind.
  const [old] = send(TOOL, { subject: 'org.imsglobal.lti.get_data', message_id: 'm4', key: 'lti_state_abc' });
  assert.equal(old.reply.subject, 'org.imsglobal.lti.get_data.response');
  assert.equal(old.reply.value, 'abc');
});

test('other origins get no answer and cannot read the tool values', () => {
  const send = load('storage');
  send(TOOL, { subject: 'lti.put_data', message_id: 'a', key: 'k', value: 'secret' });
  assert.deepEqual(send('http://evil.test', { subject: 'lti.get_data', message_id: 'b', key: 'k' }), []);
  assert.deepEqual(send('http://127.0.0.1:8081', { subject: 'lti.capabilities', message_id: 'c' }), []);
});

test('bad requests are refused with an error code', () => {
  const send = load('storage');
  const [noKey] = send(TOOL, { subject: 'lti.put_data', message_id: 'a', value: 'v' });
  assert.equal(noKey.reply.error.code, 'bad_request');
  const [big] = send(TOOL, { subject: 'lti.put_data', message_id: 'b', key: 'k', value: 'x'.repeat(5000) });
  assert.equal(big.reply.error.code, 'bad_request');
  const [unknown] = send(TOOL, { subject: 'lti.close', message_id: 'c' });
  assert.equal(unknown.reply.error.code, 'unsupported_subject');
  assert.deepEqual(send(TOOL, 'not an object'), []);
});

test('the course page answers capabilities and sends storage to the frame', () => {
  const send = load('course');
  const [caps] = send(TOOL, { subject: 'lti.capabilities', message_id: 'm1' });
  assert.equal(caps.reply.supported_messages.length, 3);
  const [put] = send(TOOL, { subject: 'lti.put_data', message_id: 'm2', key: 'k', value: 'v' });
  assert.equal(put.reply.error.code, 'unsupported_subject');
});
