// The instructor area's first view: the roster mastery grid (`roster.mjs`).

export { mount } from './roster.mjs';
