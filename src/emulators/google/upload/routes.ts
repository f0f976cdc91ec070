import type { GoogleContext } from '../context';
import { authenticate } from '../drive/auth';
import type { Route } from '../router';
import { classifySessionRequest, initResumable, sessionRequest } from './resumable';
import { simpleUpload } from './simple';

const UPLOAD_PATH = /^\/upload\/drive\/v3\/files$/;

export function uploadRoutes(ctx: GoogleContext): Route[] {
  return [
    {
      methods: ['POST'],
      path: UPLOAD_PATH,
      group: 'drive',
      auth: authenticate,
      // Anything that is neither resumable nor media goes to the multipart handler, which rejects it.
      op: (url, req) => {
        if (url.searchParams.has('upload_id')) return classifySessionRequest(req);
        const uploadType = url.searchParams.get('uploadType');
        return uploadType === 'resumable' ? 'resumableInit' : uploadType === 'media' ? 'media' : 'multipart';
      },
      handle: (ex) => {
        if (ex.url.searchParams.has('upload_id')) return sessionRequest(ctx, ex);
        return ex.op === 'resumableInit' ? initResumable(ctx, ex) : simpleUpload(ctx, ex);
      },
    },
    {
      methods: ['PUT'],
      path: UPLOAD_PATH,
      group: 'drive',
      auth: authenticate,
      op: (_url, req) => classifySessionRequest(req),
      handle: (ex) => sessionRequest(ctx, ex),
    },
  ];
}
