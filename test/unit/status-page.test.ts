import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Script } from 'node:vm';
import { operationStates } from '../../src/api/transfers/operation';
import { STATUS_PAGE_SCRIPT } from '../../src/api/transfers/status-page';

/**
 * The status page's script is a string in TypeScript: a quote escaped for the template literal but not for the
 * JavaScript inside it compiles here and breaks the page in the browser (the bar never moves). These checks catch
 * that without a browser; test/browser/status-page.test.ts shows the page working in Chromium.
 */

test('the status page script is valid JavaScript', () => {
  assert.doesNotThrow(() => new Script(STATUS_PAGE_SCRIPT, { filename: 'status-page.js' }));
});

test('the status page has words for every state a transfer can be in', () => {
  for (const state of operationStates) assert.match(STATUS_PAGE_SCRIPT, new RegExp(`\\b${state}: ["']`), `no words for ${state}`);
});
