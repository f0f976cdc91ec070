import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config';
import { openApiDocument } from '../../src/api/openapi';
import { createTransferRequestSchema } from '../../src/api/transfer-request';

const config = parseConfig({
  GOOGLE_CLIENT_ID: 'x', GOOGLE_CLIENT_SECRET: 'y', COMPLETION_CALLBACK_URL: 'http://a.example/cb',
  CALLBACK_SECRET: '1234567890123456', SECRET_KEY: 'k'.repeat(40),
});

test('the OpenAPI request schema is generated from the validating zod schema', () => {
  const doc = openApiDocument(config) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required: string[]; properties: Record<string, unknown> } }> } }>> };
  assert.equal(doc.openapi, '3.1.0');
  const body = doc.paths['/cloud_archive']!.post!.requestBody!.content['application/json']!.schema;
  const shape = createTransferRequestSchema(config).shape;
  const zodKeys = Object.keys(shape).sort();
  assert.deepEqual(Object.keys(body.properties).sort(), zodKeys);
  // Required: every field the schema refuses to be absent (separate_copy has a default).
  const requiredKeys = zodKeys.filter((k) => !shape[k as keyof typeof shape].safeParse(undefined).success);
  assert.deepEqual([...body.required].sort(), requiredKeys);
  assert.ok(!requiredKeys.includes('separate_copy'));
  assert.equal((body.properties.separate_copy as { type: string; default: boolean }).default, false);
  assert.deepEqual((body.properties.archive_type as { enum: string[] }).enum, ['webs', 'originals']);
  for (const path of ['/cloud_archive/transfers/{transfer_id}', '/cloud_archive/transfers/{transfer_id}/events', '/cloud_archive/oauth/google/callback']) {
    assert.ok(doc.paths[path], path);
  }
});
