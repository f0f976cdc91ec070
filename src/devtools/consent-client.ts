/**
 * What a gallery page and a browser do, without a browser: POST /cloud_archive, then follow the redirects
 * through the consent screen (the emulator answers it at once) and our callback, until they leave for the
 * gallery's success or fail link. Used by the demo, the benchmarks and the tests.
 */
export interface ConsentOutcome {
  location: URL;
  /** The success link's transfer id; null on a fail link (which names its attempt's id too, beside `reason`). */
  transferId: string | null;
  /** Every URL visited, for failure messages. */
  chain: string[];
}

export async function runConsent(apiUrl: string, body: Record<string, string | boolean>, stopAt: (url: URL) => boolean): Promise<ConsentOutcome> {
  const res = await fetch(`${apiUrl}/cloud_archive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`POST /cloud_archive answered ${res.status}: ${await res.text()}`);
  const { redirect_to } = (await res.json()) as { redirect_to: string };
  const chain = [redirect_to];
  let url = redirect_to;
  for (let hop = 0; hop < 8; hop++) {
    const r = await fetch(url, { redirect: 'manual' });
    const location = r.headers.get('location');
    if (!location) throw new Error(`no redirect from ${new URL(url).pathname} (HTTP ${r.status}): ${(await r.text()).slice(0, 300)}\nchain: ${chain.join(' → ')}`);
    const next = new URL(location, url);
    chain.push(next.toString());
    if (stopAt(next)) return { location: next, transferId: next.searchParams.has('reason') ? null : next.searchParams.get('transfer_id'), chain };
    url = next.toString();
  }
  throw new Error(`too many redirects: ${chain.join(' → ')}`);
}
