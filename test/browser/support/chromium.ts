import { existsSync } from 'node:fs';
import { CHROMIUM_PATH } from '../../../src/devtools/prerequisites';
import { chromium, type Browser, type BrowserContext, type Page, type Request, type Response } from 'playwright-core';

/**
 * Debian's Chromium (installed by `npm test` through src/devtools/prerequisites.ts), driven by playwright-core; never Playwright's own browser download.
 * Real-looking host names map to loopback inside this browser only, so the machine's resolver is left alone.
 */

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (npm test does, as root) or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Without these Chromium phones Google's hosts, which this closed network refuses.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP *.test 127.0.0.1',
    ],
  });
}

interface Exchange {
  seq: number;
  method: string;
  url: string;
  resourceType: string;
  requestHeaders: Record<string, string>;
  status?: number;
  responseHeaders?: Record<string, string>;
  failure?: string;
}

/**
 * Everything the browser did in one context: requests (each redirect hop is one), their answers, failures, main
 * frame navigations and console lines. A failing test prints it with the cookies, so it explains itself.
 */
export class Diary {
  readonly exchanges: Exchange[] = [];
  private readonly lines: Array<() => string> = [];
  private readonly pending: Promise<unknown>[] = [];
  private seq = 0;

  constructor(private readonly context: BrowserContext) {
    context.on('request', (request) => this.onRequest(request));
    context.on('response', (response) => this.onResponse(response));
    context.on('requestfailed', (request) => {
      const exchange = this.find(request);
      if (exchange) exchange.failure = request.failure()?.errorText ?? 'failed';
    });
    context.on('console', (message) => {
      const text = `console.${message.type()}: ${message.text()}`;
      this.lines.push(() => `   ${text}`);
    });
  }

  async watch(page: Page): Promise<void> {
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) {
        const url = frame.url();
        this.lines.push(() => `   ⇒ page is now ${url}`);
      }
    });
    // Playwright hides CORS preflights; Chromium's DevTools protocol reports them (initiator "preflight").
    const cdp = await page.context().newCDPSession(page);
    const preflights = new Map<string, Exchange>();
    const lower = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.initiator.type !== 'preflight' && e.type !== 'Preflight') return;
      const exchange: Exchange = { seq: ++this.seq, method: e.request.method, url: e.request.url, resourceType: 'preflight', requestHeaders: lower(e.request.headers) };
      preflights.set(e.requestId, exchange);
      this.exchanges.push(exchange);
      this.lines.push(() => describeExchange(exchange));
    });
    // The raw answer (also when CORS rejects it), then the parsed one.
    cdp.on('Network.responseReceivedExtraInfo', (e) => {
      const exchange = preflights.get(e.requestId);
      if (!exchange) return;
      exchange.status = e.statusCode;
      exchange.responseHeaders = lower(e.headers);
    });
    cdp.on('Network.responseReceived', (e) => {
      const exchange = preflights.get(e.requestId);
      if (!exchange) return;
      exchange.status = e.response.status;
      exchange.responseHeaders = { ...exchange.responseHeaders, ...lower(e.response.headers) };
    });
    cdp.on('Network.loadingFailed', (e) => {
      const exchange = preflights.get(e.requestId);
      if (exchange) exchange.failure = `${e.errorText}${e.corsErrorStatus ? ` (${e.corsErrorStatus.corsError})` : ''}`;
    });
    await cdp.send('Network.enable');
  }

  private readonly byRequest = new Map<Request, Exchange>();

  private find(request: Request): Exchange | undefined {
    return this.byRequest.get(request);
  }

  private onRequest(request: Request): void {
    const exchange: Exchange = { seq: ++this.seq, method: request.method(), url: request.url(), resourceType: request.resourceType(), requestHeaders: request.headers() };
    this.byRequest.set(request, exchange);
    this.exchanges.push(exchange);
    this.lines.push(() => describeExchange(exchange));
    // allHeaders() adds what the network stack set (Cookie among them) once Chromium reports it.
    this.pending.push(request.allHeaders().then((h) => (exchange.requestHeaders = h), () => undefined));
  }

  private onResponse(response: Response): void {
    const exchange = this.find(response.request());
    if (!exchange) return;
    exchange.status = response.status();
    exchange.responseHeaders = response.headers();
    this.pending.push(response.allHeaders().then((h) => (exchange.responseHeaders = h), () => undefined));
  }

  /** Settles the header look-ups still in flight; call before asserting on headers. */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** The exchanges matching method and path (on any host), in order. */
  matching(method: string, pathname: string): Exchange[] {
    return this.exchanges.filter((e) => e.method === method && new URL(e.url).pathname === pathname);
  }

  async explain(): Promise<string> {
    await this.settle();
    const cookies = await this.context.cookies().catch(() => []);
    const jar = cookies.map((c) => `   ${c.name}=${c.value} (domain ${c.domain}, path ${c.path}, SameSite=${c.sameSite}${c.httpOnly ? ', HttpOnly' : ''})`);
    return ['Browser diary (request chain):', ...this.lines.map((line) => line()), 'Cookies in the browser:', ...(jar.length ? jar : ['   (none)'])].join('\n');
  }
}

const SHOWN_REQUEST_HEADERS = ['origin', 'cookie', 'referer', 'access-control-request-method', 'access-control-request-headers'];
const SHOWN_RESPONSE_HEADERS = ['location', 'set-cookie', 'access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age', 'vary', 'referrer-policy'];

function describeExchange(e: Exchange): string {
  const pick = (headers: Record<string, string> | undefined, names: string[]) =>
    names.filter((n) => headers?.[n] !== undefined).map((n) => `${n}: ${headers![n]!.replace(/\n/g, ' | ')}`);
  const out = [`#${e.seq} ${e.method} ${e.url} [${e.resourceType}]`];
  for (const h of pick(e.requestHeaders, SHOWN_REQUEST_HEADERS)) out.push(`      > ${h}`);
  if (e.status !== undefined) out.push(`      < ${e.status}`);
  for (const h of pick(e.responseHeaders, SHOWN_RESPONSE_HEADERS)) out.push(`      < ${h}`);
  if (e.failure) out.push(`      ✗ ${e.failure}`);
  return out.join('\n');
}

/**
 * Runs `body` in a fresh browser context (no cookies, no cache). If it throws, the error is rethrown with the
 * diary appended to its message.
 */
export async function inBrowser(browser: Browser, body: (page: Page, diary: Diary, context: BrowserContext) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  context.setDefaultTimeout(30_000);
  const diary = new Diary(context);
  const page = await context.newPage();
  await diary.watch(page);
  try {
    await body(page, diary, context);
  } catch (err) {
    const explained = new Error(`${err instanceof Error ? err.message : String(err)}\n\n${await diary.explain()}`, { cause: err });
    if (err instanceof Error && err.stack) explained.stack = `${explained.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
    throw explained;
  } finally {
    await context.close();
  }
}
