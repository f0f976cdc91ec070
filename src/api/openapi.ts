import { z } from 'zod';
import type { Config } from '../config';
import { DESTINATIONS } from '../providers/registry';
import { transferOperationSchema } from './transfers/operation';
import { createTransferRequestSchema } from './transfer-request';

/**
 * The public API described as OpenAPI 3.1, generated from the same zod schemas that validate requests and
 * shape responses, so the description cannot drift from the code.
 */
const errorSchema = z
  .object({
    error: z.string().describe('machine-readable code, e.g. invalid_field'),
    message: z.string(),
    field: z.string().optional().describe('the request field at fault'),
  })
  .meta({ id: 'Error' });

const startResponse = z
  .object({ redirect_to: z.string().describe("send the user's browser here (the provider's consent page)"), transfer_id: z.string() })
  .meta({ id: 'StartTransferResponse' });

function schema(s: z.ZodType): unknown {
  return z.toJSONSchema(s, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
}

export function openApiDocument(config: Config): unknown {
  const json = (s: z.ZodType) => ({ 'application/json': { schema: schema(s) } });
  const error = (description: string) => ({ description, content: json(errorSchema) });
  const transferId = { name: 'transfer_id', in: 'path', required: true, schema: { type: 'string' }, description: 'from the success redirect; acts as a bearer capability' };
  return {
    openapi: '3.1.0',
    info: { title: 'cloud-archive', version: '1', description: 'Save a LiteGallery gallery to the client\u2019s Google Drive.' },
    servers: [{ url: config.PUBLIC_URL }],
    paths: {
      '/cloud_archive': {
        post: {
          summary: 'Start: returns the consent URL to send the browser to',
          requestBody: { required: true, content: json(createTransferRequestSchema(config)) },
          responses: {
            200: { description: 'consent URL', content: json(startResponse) },
            400: error('a field is missing or invalid (named in `field`)'),
            413: error('body larger than 16 KiB'),
            415: error('not application/json'),
            501: error(`cloud_type not enabled on this server (${optionalDestinations()})`),
          },
        },
      },
      ...Object.fromEntries(DESTINATIONS.map((d) => [d.callbackPath, { get: consentCallback(d.label) }])),
      '/cloud_archive/transfers/{transfer_id}': {
        get: {
          summary: 'The transfer as a long-running operation',
          parameters: [transferId],
          responses: { 200: { description: 'the operation', content: json(transferOperationSchema) }, 404: error('no such transfer') },
        },
      },
      '/cloud_archive/transfers/{transfer_id}/events': {
        get: {
          summary: 'Server-Sent Events: an `operation` event whenever it changes; ends after the terminal state. Honours Last-Event-ID.',
          parameters: [transferId],
          responses: { 200: { description: 'text/event-stream of TransferOperation' }, 404: error('no such transfer') },
        },
      },
      '/cloud_archive/transfers/{transfer_id}/view': {
        get: { summary: 'HTML progress page fed by the event stream', parameters: [transferId], responses: { 200: { description: 'text/html' } } },
      },
    },
  };
}

/** A destination's OAuth redirect back to us after consent. */
function consentCallback(label: string) {
  return {
    summary: `${label}: the provider's redirect after consent (browser navigation)`,
    parameters: ['code', 'state', 'error'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
    responses: {
      302: { description: 'to redirect_success_link (with transfer_id) once the job is queued, else to redirect_fail_link with reason' },
      400: { description: 'HTML page: the state is invalid or tampered with' },
    },
  };
}

/** "yadisk needs YANDEX_CLIENT_ID": the destinations a deployment offers only when configured for them. */
function optionalDestinations(): string {
  return DESTINATIONS.flatMap((d) => (d.enabledBy ? [`${d.cloudType} needs ${d.enabledBy}`] : [])).join(', ');
}

/** The files of swagger-ui-dist the docs page loads: the only ones served (not its demo pages or source maps). */
export const DOCS_ASSETS = { css: 'swagger-ui.css', js: 'swagger-ui-bundle.js' } as const;

export const DOCS_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cloud-archive API</title>
<link rel="stylesheet" href="/cloud_archive/docs/assets/${DOCS_ASSETS.css}"></head>
<body><div id="swagger-ui"></div>
<script src="/cloud_archive/docs/assets/${DOCS_ASSETS.js}"></script>
<script src="/cloud_archive/docs/init.js"></script></body></html>`;

export const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/cloud_archive/openapi.json', dom_id: '#swagger-ui' });`;
