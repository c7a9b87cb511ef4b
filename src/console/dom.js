// Building DOM nodes without markup strings: the page's Content-Security-Policy requires Trusted
// Types for HTML sinks, so innerHTML is never used; text from the API goes into textContent only.

function setProps(el, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value' && 'value' in el) el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled')
      el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// h('button', {class: 'primary', onclick: go}, 'Run'): an HTML element.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  appendChildren(el, children);
  return el;
}

// The same for SVG elements.
export function svg(tag, props, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setProps(el, props);
  appendChildren(el, children);
  return el;
}

export function byId(id) {
  return document.getElementById(id);
}

// Replaces an element's children.
export function show(el, ...children) {
  el.replaceChildren();
  appendChildren(el, children);
}

let nextId = 0;
export function uniqueId(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// Announces a short status to screen readers (and shows it in the status line).
export function announce(message) {
  const status = byId('status');
  if (status) status.textContent = message;
}
