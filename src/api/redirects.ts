/** The link with `params` set in its query; its own query parameters and fragment are kept. */
export function withQuery(link: string, params: Record<string, string>): string {
  const url = new URL(link);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}
