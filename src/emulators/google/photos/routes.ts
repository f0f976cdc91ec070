import type { GoogleContext } from '../context';
import type { Route } from '../router';
import { albumRoutes } from './albums';
import { photosAuth } from './auth';
import { mediaItemRoutes } from './mediaItems';
import { rawUpload } from './rawUpload';
import { classifySessionRequest, sessionRequest, startResumable } from './resumable';

/**
 * The Library API under photoslibrary.googleapis.com's paths (/v1/...), on the same base URL as Drive and OAuth:
 * the host maps to the emulator, the paths stay Google's.
 */
export function photosRoutes(ctx: GoogleContext): Route[] {
  const upload: Route = {
    methods: ['POST'],
    path: /^\/v1\/uploads$/,
    group: 'photos',
    auth: photosAuth('append'),
    op: (url, req) => {
      if (url.searchParams.has('upload_id')) return classifySessionRequest(req);
      return req.headers['x-goog-upload-protocol'] === 'resumable' ? 'photosUploadStart' : 'photosRawUpload';
    },
    handle: (ex) => {
      if (ex.url.searchParams.has('upload_id')) return sessionRequest(ctx, ex);
      return ex.op === 'photosUploadStart' ? startResumable(ctx, ex) : rawUpload(ctx, ex);
    },
  };
  return [upload, ...mediaItemRoutes(ctx), ...albumRoutes(ctx)];
}
