// CORS in headless Chromium (cors_itest.sh starts the page's static server and the API and sets
// the environment): a page on another origin calls the API with a bearer token, which makes the
// browser preflight. From the allowed origin the calls succeed and the page can read the exposed
// headers; from an origin that is not listed the browser blocks them (fetch rejects).
import { check, Failure, launchChromium, requireEnv } from '../support/browser.mjs';

const env = (name) => requireEnv(name, 'cors_itest.sh');
const api = env('API_URL');
const allowedPage = env('ALLOWED_PAGE');
const otherPage = env('OTHER_PAGE');
const token = env('API_TOKEN');

// Runs fetch() in the page: what the page's JavaScript sees, or the error when the browser blocks.
function call(page, target, init) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init);
        const headers = {};
        for (const name of ['x-cache', 'x-cache-key', 'etag', 'server-timing', 'x-request-id',
          'location', 'cache-control']) {
          headers[name] = response.headers.get(name);
        }
        return { status: response.status, headers, body: await response.text() };
      } catch (error) {
        return { blocked: String(error) };
      }
    },
    { url: api + target, init },
  );
}

const bearer = { Authorization: `Bearer ${token}` };
const diamond = {
  carat: 1.25, cut: 'Ideal', color: 'F', clarity: 'VS1', depth: 61.7, table: 56, price: 9000,
  x: 6.9, y: 6.95, z: 4.28,
};

async function step(name, body) {
  await body();
  console.log(`✓ ${name}`);
}

async function scenarios(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  await page.goto(allowedPage);

  await step('an allowed origin reads the catalog with a token and sees the exposed headers',
    async () => {
      const answer = await call(page, '/catalog?cut=Fair&limit=3', { headers: bearer });
      check(!answer.blocked, `blocked: ${answer.blocked}`);
      check(answer.status === 200, `status ${answer.status}: ${answer.body}`);
      check(JSON.parse(answer.body).items.length === 3, 'three items');
      const { headers } = answer;
      check(headers['x-cache'] === 'DISABLED', `X-Cache: ${headers['x-cache']}`);
      check(headers['x-cache-key']?.startsWith('catalog:'),
        `X-Cache-Key: ${headers['x-cache-key']}`);
      check(/^"/.test(headers.etag ?? ''), `ETag: ${headers.etag}`);
      check(/total;dur=/.test(headers['server-timing'] ?? ''),
        `Server-Timing: ${headers['server-timing']}`);
      check(headers['x-request-id'], 'X-Request-Id is readable');
      check(headers['cache-control']?.startsWith('public,'),
        `Cache-Control: ${headers['cache-control']}`);
    });

  await step('an allowed origin writes with a JSON body and reads Location', async () => {
    const created = await call(page, '/catalog', {
      method: 'POST',
      headers: { ...bearer, 'Content-Type': 'application/json' },
      body: JSON.stringify(diamond),
    });
    check(!created.blocked, `blocked: ${created.blocked}`);
    check(created.status === 201, `status ${created.status}: ${created.body}`);
    const location = created.headers.location;
    check(/^\/catalog\/\d+$/.test(location ?? ''), `Location: ${location}`);
    const removed = await call(page, location, { method: 'DELETE', headers: bearer });
    check(removed.status === 204, `DELETE: ${removed.status ?? removed.blocked}`);
  });

  await step('an error answer is readable too (the page sees 401, not a network error)',
    async () => {
      const refused = await call(page, '/catalog', {
        method: 'POST',
        headers: { Authorization: 'Bearer wrong', 'Content-Type': 'application/json' },
        body: JSON.stringify(diamond),
      });
      check(refused.status === 401, `status ${refused.status ?? refused.blocked}`);
    });

  await step('another origin is blocked by the browser', async () => {
    await page.goto(otherPage);
    const answer = await call(page, '/catalog?limit=1', { headers: bearer });
    check(answer.blocked, `not blocked: status ${answer.status}`);
    const write = await call(page, '/catalog', {
      method: 'POST',
      headers: { ...bearer, 'Content-Type': 'application/json' },
      body: JSON.stringify(diamond),
    });
    check(write.blocked, `the write was not blocked: status ${write.status}`);
  });
  await page.close();
}

const chromium = await launchChromium('cors');
let status = 0;
try {
  await scenarios(await chromium.browser.newContext());
} catch (error) {
  console.error(error instanceof Failure ? `✗ ${error.message}` : error);
  status = 1;
} finally {
  await chromium.close();
}
process.exit(status);
