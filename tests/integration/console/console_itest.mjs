// The console's scenarios in headless Chromium, one dataset per run (console_itest.sh starts the
// server and sets the environment):
//   diamonds: sign up, log in, filter cut=Fair and see MISS then HIT, the headers fetch can read,
//             admin: a bad price refused next to the field, a POST, MISS with one more item, delete
//             and edit from the table, the cache-flow panel, users promote/demote/deactivate/
//             activate, the live panel, a phone-width layout, labelled controls.
//   books:    the same console for another spec: its filters, a filter MISS then HIT, a bad rating
//             refused next to the field.
// Any uncaught page error or Content-Security-Policy violation fails the run. Screenshots of the
// main views go to CONSOLE_SCREENSHOTS as console-*.png.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { check, Failure, launchChromium, requireEnv } from '../support/browser.mjs';

const env = (name) => requireEnv(name, 'console_itest.sh');
const baseUrl = env('CONSOLE_URL');
const dataset = env('CONSOLE_DATASET');
const shots = env('CONSOLE_SCREENSHOTS');
const admin = { email: env('CONSOLE_ADMIN_EMAIL'), password: env('CONSOLE_ADMIN_PASSWORD') };

let page;
const problems = []; // page errors and policy violations, checked after every step

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    check(problems.length === 0, `the page reported: ${problems.join(' | ')}`);
  } catch (error) {
    console.error(`✗ ${dataset}: ${name}: ${error.message}`);
    if (page)
      await page
        .screenshot({ path: path.join(shots, `failure-${dataset}.png`), fullPage: true })
        .catch(() => {});
    throw error;
  }
  console.log(`✓ ${dataset}: ${name} (${Date.now() - started} ms)`);
}

async function shot(name) {
  await page.screenshot({ path: path.join(shots, `console-${name}.png`), fullPage: true });
}

async function open(view) {
  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, view);
  await page.locator(`#view-${view}`).waitFor({ state: 'visible' });
}

async function text(selector) {
  return (await page.locator(selector).first().textContent()).trim();
}

// Waits until `selector` shows the answer to `response` (the console marks it with its
// X-Request-Id), so a check never reads what an earlier answer left on screen.
async function shown(selector, response) {
  const id = (await response).headers()['x-request-id'];
  await page.locator(`${selector}[data-request-id="${id}"]`).waitFor();
  return response;
}

// Submits the filters and waits for the answer it caused; returns {cache, count, key}.
async function search() {
  // A search the console started itself (on arriving at the view) finishes first.
  await page.locator('#results:not([aria-busy])').waitFor({ state: 'attached' });
  const answered = page.waitForResponse(
    (response) =>
      new URL(response.url()).pathname === '/catalog' && response.request().method() === 'GET',
  );
  await page.click('#filters-search');
  await shown('#results', answered);
  return page.evaluate(() => ({
    cache: document.querySelector('#results .badge')?.dataset.cache ?? null,
    count: Number(document.querySelector('#result-count')?.dataset.count ?? NaN),
    key: document.querySelector('#results .cache-key')?.textContent ?? null,
    timing: document.querySelector('#results .server-timing')?.textContent ?? '',
  }));
}

async function logIn(email, password) {
  await open('account');
  await page.fill('#login-form input[name=email]', email);
  await page.fill('#login-form input[name=password]', password);
  await page.click('#login-form button[type=submit]');
  await page.locator('#who-role').waitFor();
  // Logging in ends on the catalog with its first page: wait for it, so that this search can
  // never land after what the test does next (it would fill the cache behind the test's back).
  await page.locator('body[data-view="catalog"]').waitFor({ state: 'attached' });
  await page.locator('#results[data-request-id]:not([aria-busy])').waitFor();
}

async function logOut() {
  await page.click('#log-out');
  await page.locator('#sign-in-link').waitFor();
}

async function chooseCategory(column, value) {
  const chip = page
    .locator(`fieldset[data-column="${column}"] .chip`, { hasText: new RegExp(`^${value}$`) })
    .locator('label');
  await chip.click();
  check(
    await page.locator(`fieldset[data-column="${column}"] input[value="${value}"]`).isChecked(),
    `${column}=${value} is not ticked`,
  );
}

async function pageSize(value) {
  await page.selectOption('#filters select[name=limit]', value);
}

// Fills the item editor; values by column name.
async function fillItem(values) {
  for (const [name, value] of Object.entries(values)) {
    const field = page.locator(`#item-${name}`);
    if ((await field.evaluate((element) => element.tagName)) === 'SELECT')
      await field.selectOption(String(value));
    else await field.fill(String(value));
  }
}

async function submitItem() {
  const answered = page.waitForResponse(
    (response) =>
      new URL(response.url()).pathname.startsWith('/catalog') &&
      ['POST', 'PUT'].includes(response.request().method()),
  );
  await page.click('#item-submit');
  return (await shown('#item-editor', answered)).status();
}

async function diamonds() {
  const email = `console-${Date.now()}@vitrina.test`;
  const password = 'console-password-1';
  let fairCount;
  let createdId;

  await step('the page loads with its policy and shows the dataset', async () => {
    const response = await page.goto(`${baseUrl}/`);
    const policy = response.headers()['content-security-policy'] ?? '';
    check(
      policy.includes("script-src 'self'") && !policy.includes('unsafe-inline'),
      `policy: ${policy}`,
    );
    await page.locator('body[data-ready=true]').waitFor();
    check((await text('#dataset-name')) === 'diamonds', 'the dataset name is not shown');
    check(
      await page.locator('#view-account').isVisible(),
      'signed out, the account view comes first',
    );
  });

  await step('sign up, then log in as that user', async () => {
    await page.fill('#signup-form input[name=email]', email);
    await page.fill('#signup-form input[name=password]', password);
    await page.click('#signup-form button[type=submit]');
    await page.locator('#signup-form .notice-ok').waitFor();
    check(
      (await page.inputValue('#login-form input[name=email]')) === email,
      'the login form is not prefilled',
    );
    await logIn(email, password);
    check((await text('#who-role')) === 'user', `role: ${await text('#who-role')}`);
    check((await text('#who-email')) === email, 'the email is not shown');
    check(await page.locator('.tabs a[data-view=admin]').isHidden(), 'a user sees the admin tab');
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('vitrina.session'),
      local: localStorage.length,
      cookie: document.cookie,
    }));
    check(
      stored.session && stored.local === 0 && stored.cookie === '',
      'the token must be in sessionStorage only',
    );
  });

  await step('filter controls come from the spec; cut=Fair is a MISS, then a HIT', async () => {
    await open('catalog');
    await page.locator('#results .answer').waitFor(); // the first page, on arrival
    for (const column of ['cut', 'color', 'clarity']) {
      check(
        (await page.locator(`fieldset[data-column="${column}"] .chip`).count()) >= 5,
        `no choices for ${column}`,
      );
    }
    for (const range of ['carat', 'price', 'depth', 'table', 'x', 'y', 'z']) {
      check(
        (await page.locator(`.range[data-column="${range}"] input`).count()) === 2,
        `no range for ${range}`,
      );
    }
    check(
      (await page.locator('#filters select[name=sort]').count()) === 0,
      'no sort: the API has none',
    );
    await chooseCategory('cut', 'Fair');
    await pageSize('all');
    const first = await search();
    check(first.cache === 'MISS', `first read: ${first.cache}`);
    check(first.key === 'catalog:cut=Fair', `key: ${first.key}`);
    check(/db \d/.test(first.timing), `Server-Timing: ${first.timing}`);
    check(first.count > 0, 'no Fair diamonds');
    const second = await search();
    check(second.cache === 'HIT', `second read: ${second.cache}`);
    check(second.count === first.count, 'the HIT has another count');
    fairCount = first.count;
    const rows = await page.locator('#items-table tbody tr').count();
    check(rows === Math.min(fairCount, 2000), `table rows: ${rows}`);
    await shot('catalog');
  });

  await step('fetch can read the cache and timing headers (same origin, no CORS)', async () => {
    const headers = await page.evaluate(async () => {
      const { accessToken } = JSON.parse(sessionStorage.getItem('vitrina.session'));
      const response = await fetch('/catalog?cut=Fair', {
        headers: { Authorization: `Bearer ${accessToken}` },
        cache: 'no-store',
      });
      return Object.fromEntries(
        ['x-cache', 'x-cache-key', 'server-timing', 'x-request-id', 'etag', 'content-length'].map(
          (name) => [name, response.headers.get(name)],
        ),
      );
    });
    for (const [name, value] of Object.entries(headers)) check(value, `${name} is not readable`);
    check(headers['x-cache'] === 'HIT', `x-cache: ${headers['x-cache']}`);
  });

  await step('an administrator gets the admin tab', async () => {
    await logOut();
    await logIn(admin.email, admin.password);
    check((await text('#who-role')) === 'admin', `role: ${await text('#who-role')}`);
    check(await page.locator('.tabs a[data-view=admin]').isVisible(), 'no admin tab');
  });

  await step('a bad price is refused next to the field; a good one is created', async () => {
    await open('admin');
    await fillItem({
      carat: 0.71,
      cut: 'Fair',
      color: 'E',
      clarity: 'SI1',
      depth: 61.2,
      table: 57,
      price: -5,
      x: 5.7,
      y: 5.74,
      z: 3.5,
    });
    check((await submitItem()) === 400, 'a negative price was accepted');
    const reason = await text('#item-price-error');
    check(/at least 0/.test(reason), `price error: "${reason}"`);
    check(
      (await page.getAttribute('#item-price', 'aria-invalid')) === 'true',
      'price is not marked invalid',
    );
    check((await text('#item-carat-error').catch(() => '')) === '', 'carat is wrongly marked');
    await shot('admin-validation');
    await fillItem({ price: 2750 });
    check((await submitItem()) === 201, 'the item was not created');
    createdId = Number(await page.getAttribute('#item-saved', 'data-id'));
    check(createdId > 0, 'no id for the created item');
  });

  await step('after the POST, cut=Fair is a MISS with one more item', async () => {
    await open('catalog');
    const after = await search();
    check(after.cache === 'MISS', `after the write: ${after.cache}`);
    check(after.count === fairCount + 1, `count ${after.count}, expected ${fairCount + 1}`);
    check(
      (await page.locator(`#items-table tr[data-id="${createdId}"]`).count()) === 1,
      'the new item is not in the table',
    );
  });

  await step('edit and delete from the table', async () => {
    await page.click(`#items-table tr[data-id="${createdId}"] button:has-text("Edit")`);
    await page.locator('#view-admin').waitFor({ state: 'visible' });
    check((await page.inputValue('#item-price')) === '2750', 'the editor is not prefilled');
    await fillItem({ price: 2800 });
    check((await submitItem()) === 200, 'the edit was not saved');
    await open('catalog');
    const edited = await search();
    check(edited.cache === 'MISS', `after the edit: ${edited.cache}`);
    check(
      (await page.locator(`#items-table tr[data-id="${createdId}"] td`).nth(7).textContent()) ===
        '2800',
      'the new price is not shown',
    );
    await page.click(`#items-table tr[data-id="${createdId}"] button:has-text("Delete")`);
    await page.locator('#confirm-dialog[open]').waitFor();
    const deleted = page.waitForResponse((response) => response.request().method() === 'DELETE');
    await page.click('#confirm-ok');
    check((await deleted).status() === 204, 'the delete failed');
    await page.locator(`#items-table tr[data-id="${createdId}"]`).waitFor({ state: 'detached' });
  });

  // The delete invalidated cut=Fair: the flow's first read is a MISS with the original count.
  await step(
    'the cache-flow panel runs MISS → HIT → POST → MISS +1, other value still a HIT',
    async () => {
      await open('flow');
      check(
        (await page.inputValue('#flow-form select[name=column]')) === 'cut',
        'the flow does not start on cut',
      );
      check(
        (await page.inputValue('#flow-form select[name=value]')) === 'Fair',
        'the flow does not start on Fair',
      );
      check(
        (await page.inputValue('#flow-form select[name=other]')) === 'Good',
        'the other value is not Good',
      );
      for (let run = 1; run <= 2; ++run) {
        // the clean-up leaves the key cold: a rerun starts with a MISS
        await page.click('#flow-run');
        await page.locator('#flow-verdict').waitFor({ timeout: 60000 });
        const steps = await page.evaluate(() =>
          Object.fromEntries(
            [...document.querySelectorAll('#flow-steps .step')].map((li) => [
              li.dataset.step,
              {
                cache: li.dataset.cache,
                status: li.dataset.status,
                count: li.querySelector('.step-count')?.dataset.count,
              },
            ]),
          ),
        );
        const verdict = await page.getAttribute('#flow-verdict', 'class');
        check(
          verdict.includes('ok'),
          `run ${run}: ${await text('#flow-verdict')} ${JSON.stringify(steps)}`,
        );
        check(
          steps.cold.cache === 'MISS' && steps.warm.cache === 'HIT' && steps.write.status === '201',
          `run ${run}: ${JSON.stringify(steps)}`,
        );
        check(
          steps.after.cache === 'MISS' &&
            Number(steps.after.count) === Number(steps.cold.count) + 1,
          `run ${run}: ${JSON.stringify(steps)}`,
        );
        check(
          steps.untouched.cache === 'HIT' && steps.cleanup.status === '204',
          `run ${run}: ${JSON.stringify(steps)}`,
        );
        check(
          Number(steps.cold.count) === fairCount,
          `run ${run}: ${steps.cold.count} Fair items, expected ${fairCount}`,
        );
        check(
          (await page.locator('.flow-chart svg.timing-bars rect').count()) >= 4,
          'no timing bars',
        );
        if (run === 1) await shot('cache-flow');
      }
    },
  );

  await step('users: promote, demote, deactivate and activate the new user', async () => {
    await open('admin');
    const row = page.locator(`#users-table tr[data-email="${email}"]`);
    await row.waitFor();
    for (const [action, column, expected] of [
      ['promote', 1, 'admin'],
      ['demote', 1, 'user'],
      ['deactivate', 2, 'deactivated'],
      ['activate', 2, 'active'],
    ]) {
      const patched = page.waitForResponse((response) => response.request().method() === 'PATCH');
      await row.locator(`button[data-action=${action}]`).click();
      check((await patched).status() === 200, `${action} failed`);
      await page.waitForFunction(
        ([selector, index, value]) =>
          document.querySelector(selector)?.children[index]?.textContent.trim() === value,
        [`#users-table tr[data-email="${email}"]`, column, expected],
      );
    }
    await shot('admin');
  });

  await step('with Redis not answering, the answer is a BYPASS from PostgreSQL', async () => {
    await open('catalog');
    // Every Redis client waits for 4 s: the cache gives up after its timeout (1 s here,
    // console_itest.sh) and asks PostgreSQL. The pause outlasts the timeout by the time the
    // browser takes to send the search (a 2 s pause did not, once, under load: a MISS).
    execFileSync('redis-cli', ['-u', env('REDIS_URL'), 'CLIENT', 'PAUSE', '4000', 'ALL']);
    const bypass = await search();
    check(bypass.cache === 'BYPASS', `with Redis paused: ${bypass.cache}`);
    check(bypass.count === fairCount, `count ${bypass.count}, expected ${fairCount}`);
    await page.waitForTimeout(4500); // the pause is over; the cache's probe finds Redis again
  });

  await step('the live panel shows requests/s, the hit ratio and latency percentiles', async () => {
    await open('live');
    await page.locator('#live-rate').waitFor({ timeout: 15000 });
    // Traffic inside the window: a few reads while the panel polls.
    for (let i = 0; i < 3; ++i)
      await page.evaluate(async () => {
        const { accessToken } = JSON.parse(sessionStorage.getItem('vitrina.session'));
        await fetch('/catalog?cut=Ideal', {
          headers: { Authorization: `Bearer ${accessToken}` },
          cache: 'no-store',
        });
      });
    await page.waitForFunction(
      () =>
        Number(document.querySelector('#live-rate [data-value]')?.dataset.value) > 0 &&
        document.querySelector('#live-hit-ratio [data-value]')?.dataset.value !== '',
      null,
      { timeout: 15000 },
    );
    const latency = await text('#live-latency .percentiles');
    check(/p50.*ms.*p95.*ms.*p99.*ms/.test(latency), `latency: ${latency}`);
    check((await page.locator('#live svg.sparkline').count()) === 3, 'the charts are missing');
    check(
      (await page.locator('#routes-table td code', { hasText: 'GET /metrics' }).count()) === 0,
      'the polls are counted',
    );
    await shot('live');
  });

  await step('every control has a label and the keyboard reaches the skip link first', async () => {
    for (const view of ['catalog', 'flow', 'admin', 'account']) {
      await open(view);
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('main input, main select, main button, main textarea')]
          .filter((control) => control.offsetParent !== null || control.closest('.chip'))
          .filter(
            (control) =>
              !(
                control.labels?.length ||
                control.getAttribute('aria-label') ||
                (control.tagName === 'BUTTON' && control.textContent.trim())
              ),
          )
          .map((control) => control.outerHTML.slice(0, 80)),
      );
      check(unlabelled.length === 0, `${view}: unlabelled ${unlabelled.join(', ')}`);
    }
    await page.reload(); // the session survives a reload (sessionStorage)
    await page.locator('body[data-ready=true]').waitFor();
    check((await text('#who-role')) === 'admin', 'the reload lost the session');
    await page.keyboard.press('Tab');
    check(
      await page.evaluate(() => document.activeElement?.classList.contains('skip-link')),
      'the skip link is not first',
    );
    for (
      let i = 0;
      i < 10 && !(await page.evaluate(() => document.activeElement?.dataset?.view === 'flow'));
      ++i
    ) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.locator('#view-flow').waitFor({ state: 'visible' });
  });

  await step('at phone width nothing overflows the page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await open('catalog');
    await search();
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    check(widths.page <= widths.view, `the page is ${widths.page}px wide at ${widths.view}px`);
    await page.evaluate(() => document.querySelector('#results').scrollIntoView());
    await page.screenshot({ path: path.join(shots, 'console-phone.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
}

async function books() {
  await step('the books spec gets its own console', async () => {
    await page.goto(`${baseUrl}/`);
    await page.locator('body[data-ready=true]').waitFor();
    check((await text('#dataset-name')) === 'books', 'the dataset name is not shown');
    await logIn(admin.email, admin.password);
    await open('catalog');
    await page.locator('#results .answer').waitFor();
    const genres = await page
      .locator('fieldset[data-column="genre"] .chip label')
      .allTextContents();
    check(genres.join() === 'fiction,poetry,science,history', `genres: ${genres}`); // the spec's enum
    const years = await page.locator('fieldset[data-column="year"] .chip label').allTextContents();
    check(years.length === 10 && years[0] === '1614', `years (from /catalog/facets): ${years}`);
    for (const range of ['year', 'rating']) {
      check(
        (await page.locator(`.range[data-column="${range}"] input`).count()) === 2,
        `no range for ${range}`,
      );
    }
    check(
      (await page.locator('.range[data-column="title"]').count()) === 0,
      'a string column got a range',
    );
    const headers = await page.locator('#items-table thead th').allTextContents();
    check(
      headers.slice(0, 6).join() === 'id,title,genre,year,rating,in_print',
      `columns: ${headers}`,
    );
  });

  await step('genre=science is a MISS, then a HIT', async () => {
    await chooseCategory('genre', 'science');
    const first = await search();
    check(first.cache === 'MISS' && first.count === 2, `first: ${JSON.stringify(first)}`);
    check(first.key === 'catalog:genre=science&limit=50', `key: ${first.key}`);
    const second = await search();
    check(second.cache === 'HIT' && second.count === 2, `second: ${JSON.stringify(second)}`);
    await shot('books');
  });

  await step('a rating above 5 is refused next to the field', async () => {
    await open('admin');
    check(
      (await page.locator('#item-in_print').evaluate((element) => element.tagName)) === 'SELECT',
      'in_print is not a yes/no choice',
    );
    await fillItem({ title: 'Dune', genre: 'fiction', year: 1965, rating: 7 });
    check((await submitItem()) === 400, 'a rating of 7 was accepted');
    const reason = await text('#item-rating-error');
    check(reason === 'must be at most 5', `rating error: "${reason}"`);
    await fillItem({ rating: 4.3 });
    check((await submitItem()) === 201, 'the book was not created');
  });
}

const chromium = await launchChromium('console');
let status = 0;
try {
  const context = await chromium.browser.newContext({
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
  page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const words = message.text();
    if (
      message.type() === 'error' &&
      /Content Security Policy|Refused to|Trusted Type|TrustedHTML/i.test(words)
    ) {
      problems.push(`console: ${words}`);
    }
  });
  // Anything not from the server under test would be a request to the internet.
  page.on('request', (request) => {
    if (!request.url().startsWith(baseUrl))
      problems.push(`request outside the server: ${request.url()}`);
  });
  await (dataset === 'books' ? books() : diamonds());
} catch (error) {
  if (!(error instanceof Failure)) console.error(error);
  status = 1;
} finally {
  await chromium.close();
}
process.exit(status);
