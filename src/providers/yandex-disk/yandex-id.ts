/**
 * One form POST to Yandex ID (token, refresh, revoke) with the app's credentials in HTTP Basic — the API exchanges
 * codes with it, the worker refreshes and revokes. Rejects only when Yandex could not be reached; the caller
 * decides what a non-2xx answer means.
 */
export async function postToYandexId(
  url: string,
  client: { clientId: string; clientSecret: string },
  form: Record<string, string>,
  timeoutMs: number,
): Promise<{ ok: boolean; status: number; body: Record<string, unknown> }> {
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown> | null;
  return { ok: res.ok, status: res.status, body: body ?? {} };
}
