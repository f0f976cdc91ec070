import type { DestinationProvider } from '../providers/types';

/**
 * Targets as the workflow holds them: one string per item, in its history. A destination that reserves none
 * (reserveTargets absent) gets NO_TARGET in each place — the workflow's commands and recorded histories stay the
 * same for every destination — and its requests carry no target at all.
 */
const NO_TARGET = '';

export async function reserveFor(provider: DestinationProvider, count: number): Promise<string[]> {
  return provider.reserveTargets ? provider.reserveTargets(count) : new Array<string>(count).fill(NO_TARGET);
}

/** The target a request carries: none for a placeholder. */
export function targetOf(held: string): string | undefined {
  return held === NO_TARGET ? undefined : held;
}
