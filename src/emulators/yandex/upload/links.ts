import { newUploadTarget } from '../ids';
import { uploadLinkExpired, uploadLinkNotFound } from '../errors';

export interface UploadLink {
  /** The opaque last segment of the href. */
  target: string;
  href: string;
  operationId: string;
  user: string;
  path: string;
  overwrite: boolean;
  expiresAt: number;
  /** A PUT completed: the href is spent. */
  done: boolean;
}

/** Upload hrefs handed out by GET /resources/upload. The href itself is the capability. */
export class UploadLinkStore {
  private readonly links = new Map<string, UploadLink>();

  constructor(private readonly now: () => number) {}

  create(base: string, init: Pick<UploadLink, 'operationId' | 'user' | 'path' | 'overwrite' | 'expiresAt'>): UploadLink {
    const target = newUploadTarget();
    const link: UploadLink = { ...init, target, href: `${base}/upload-target/${target}`, done: false };
    this.links.set(target, link);
    return link;
  }

  /**
   * A spent href is still found (its PUT answers 409, telling a client whose 201 got lost that the
   * file is there); an unknown one is 404, an unused one past its lifetime 410 Gone.
   */
  find(target: string): UploadLink {
    const link = this.links.get(target);
    if (!link) throw uploadLinkNotFound();
    if (!link.done && this.now() >= link.expiresAt) throw uploadLinkExpired();
    return link;
  }

  hrefs(): string[] {
    return [...this.links.values()].map((link) => link.href);
  }
}
