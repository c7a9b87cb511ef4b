// The console's entry point: reads the API's description of itself (GET /openapi.json), the
// signed-in user and the category values, then builds each view from them. Views are sections of
// the one page, chosen by the URL's fragment (#catalog, #flow, #admin, #live, #account).

import { initAccount } from './account.js';
import { initAdmin } from './admin.js';
import { Api } from './api.js';
import { initCatalog } from './catalog.js';
import { describeDataset } from './dataset.js';
import { byId } from './dom.js';
import { initFlow } from './flow.js';
import { initLive } from './live.js';

const VIEWS = ['catalog', 'flow', 'admin', 'live', 'account'];

function createContext(api, dataset) {
  const listeners = new Map();
  const ctx = {
    api,
    dataset,
    user: null,
    facets: null,
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push(listener);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    isAdmin() {
      return Boolean(ctx.user?.is_admin) || ctx.user?.devToken === true;
    },
    roleName() {
      if (!api.session) return 'signed out';
      if (ctx.user?.devToken) return 'admin (token)';
      if (!ctx.user) return 'unknown';
      if (!ctx.user.is_active) return 'deactivated';
      return ctx.user.is_admin ? 'admin' : 'user';
    },
    navigate(view) {
      if (window.location.hash !== `#${view}`) window.location.hash = view;
      else showView(view);
    },
    // GET /me for the session's user; without /me (development token) the token is an admin's.
    async loadUser() {
      ctx.user = null;
      if (api.session) {
        const answer = await api.request('GET', '/me');
        if (answer.ok) {
          ctx.user = answer.data;
        } else if (answer.status === 401) {
          api.setSession(null); // the token is no longer accepted
        } else if (answer.status === 403) {
          // Authenticated but deactivated: the API refuses everything but says who it is.
          ctx.user = { email: api.session.email, is_active: false, is_admin: false };
        } else if (answer.status === 404) {
          // No /me: a server without an identity provider, where a token is the admin's.
          ctx.user = { devToken: true };
        }
      }
      ctx.emit('user', ctx.user);
      await ctx.refreshFacets();
    },
    logOut() {
      api.setSession(null);
      ctx.user = null;
      ctx.emit('user', null);
      ctx.navigate('account');
    },
    // The stored values of each category column, the choices of the filters.
    async refreshFacets() {
      if (!dataset.has.facets) return;
      const answer = await api.request('GET', '/catalog/facets');
      if (answer.ok) {
        ctx.facets = answer.data;
        ctx.emit('facets', ctx.facets);
      }
    },
  };
  return ctx;
}

function showView(view) {
  const adminLink = document.querySelector('.tabs a[data-view=admin]');
  const target = VIEWS.includes(view) && !(view === 'admin' && adminLink.hidden) ? view : 'catalog';
  for (const name of VIEWS) byId(`view-${name}`).hidden = name !== target;
  for (const link of document.querySelectorAll('.tabs a')) {
    if (link.dataset.view === target) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.body.dataset.view = target;
  document.dispatchEvent(new CustomEvent('console:view', { detail: target }));
}

async function start() {
  const api = new Api();
  const described = await api.request('GET', '/openapi.json', { auth: false });
  if (!described.ok || !described.data) {
    const error = byId('page-error');
    error.textContent = `The API's description (GET /openapi.json) did not load: ${described.error?.message ?? 'unknown error'}`;
    error.hidden = false;
    return;
  }
  const dataset = describeDataset(described.data);
  document.title = `${dataset.name} · Vitrina console`;
  byId('dataset-name').textContent = dataset.name;
  byId('footer-text').textContent = `Vitrina ${dataset.version} · dataset “${dataset.name}”`;

  const ctx = createContext(api, dataset);
  ctx.on('user', () => {
    document.querySelector('.tabs a[data-view=admin]').hidden = !ctx.isAdmin();
    if (!byId('view-admin').hidden && !ctx.isAdmin()) showView('catalog');
  });
  initAccount(ctx);
  initCatalog(ctx);
  initFlow(ctx);
  initAdmin(ctx);
  initLive(ctx);

  window.addEventListener('hashchange', () => showView(window.location.hash.slice(1)));
  await ctx.loadUser();
  const initial = window.location.hash.slice(1) || (api.session ? 'catalog' : 'account');
  showView(initial);
  document.body.dataset.ready = 'true';
}

start();
