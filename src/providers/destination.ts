import type { z } from 'zod';
import type { Config } from '../config';
import type { SettingsRule } from '../config/fields';
import type { Sealer } from '../shared/crypto';
import type { DestinationProvider } from './types';

/**
 * The two halves of a destination (see README.md here). The descriptor — name, settings, consent flow — is loaded
 * by every role, the API included; the worker side (provider, upload protocol, SDKs) only by the processes that
 * write (worker-registry.ts), so the API never loads googleapis and friends. Only types here.
 */

/** What the token exchange gave us, reduced to what the callback decides on. */
export interface GrantedAccess {
  /** Sealed into the job; the only credential that leaves the API. */
  refreshToken: string | undefined;
  /** Undefined when the provider does not say (the request is then taken as granted). */
  scope: string | undefined;
  /** Used only to give a grant back that we will not use. */
  accessToken: string | undefined;
}

/** A destination's consent screen and token endpoint, as the API's start and callback routes use them. */
export interface ConsentFlow {
  consentUrl(state: string, codeChallenge: string): string;
  /** Rejects when the provider refuses the code (expired, reused, wrong verifier). */
  exchangeCode(code: string, codeVerifier: string): Promise<GrantedAccess>;
  /** True when the granted scopes let a transfer write where it must. */
  grantsAccess(scope: string | undefined): boolean;
  /** Gives a grant back (all of it: the refresh token dies too); rejects when the provider could not be reached. */
  revoke(access: GrantedAccess): Promise<void>;
  /** Loggable facts about a failed exchange — never the request (it holds the code and the client secret). */
  describeError(err: unknown): Record<string, unknown>;
}

/** One destination as every role sees it: its name, its variables, its consent flow. */
export interface DestinationDescriptor<CloudType extends string, Shape extends z.ZodRawShape> {
  /** Its `cloud_type` in requests, jobs and workflow inputs. Never renamed: queued jobs carry it. */
  readonly cloudType: CloudType;
  /** As users know it, for messages: "Google Drive". */
  readonly label: string;
  /** Where its OAuth server sends the browser back (under PUBLIC_URL); registered with the provider. */
  readonly callbackPath: string;
  /** Its environment variables (prefixed with its name so they never collide), validated at start-up with the rest. */
  readonly settings: z.ZodObject<Shape>;
  /** Rules across its variables. */
  readonly rules?: ReadonlyArray<SettingsRule<z.output<z.ZodObject<Shape>>>>;
  /** The variable without which a deployment does not offer it; absent: always offered. */
  readonly enabledBy?: string;
  /** Its consent flow, or null when this deployment does not offer it. */
  consent(settings: z.output<z.ZodObject<Shape>>, redirectUri: string): ConsentFlow | null;
}

/** Infers a descriptor's literal cloud type and settings shape. */
export function describeDestination<CloudType extends string, Shape extends z.ZodRawShape>(
  descriptor: DestinationDescriptor<CloudType, Shape>,
): DestinationDescriptor<CloudType, Shape> {
  return descriptor;
}

/** A destination's worker side in one process: the provider of each transfer, its auth and pacing shared per transfer. */
export interface DestinationWorker {
  forTransfer(transferId: string, refreshToken: string): DestinationProvider;
  /** Drops what it keeps for a transfer that ended here. */
  forget(transferId: string): void;
  /** Gives a grant back knowing only its refresh token; already revoked counts as done. Throws a TransferError. */
  revoke(refreshToken: string): Promise<void>;
}

/** Builds a destination's worker side, or null when this deployment does not offer it. */
export type WorkerFactory = (config: Config, sealer: Sealer) => DestinationWorker | null;
