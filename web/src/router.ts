// Hash routes: #/login, #/fleet, #/devices/{id}, #/events, #/audit, #/users, #/account, and
// billing: #/billing (runs), #/billing/runs/{id}, #/billing/review, #/billing/bills/{id},
// #/billing/tariffs, #/billing/tariffs/{id}, #/billing/accounts.

export type Route =
  | { name: 'login' }
  | { name: 'fleet' }
  | { name: 'device'; id: string }
  | { name: 'events' }
  | { name: 'audit' }
  | { name: 'users' }
  | { name: 'account' }
  | { name: 'billing' }
  | { name: 'billing-run'; id: string }
  | { name: 'billing-review' }
  | { name: 'billing-bill'; id: string }
  | { name: 'billing-tariffs' }
  | { name: 'billing-tariff'; id: string }
  | { name: 'billing-accounts' }
  | { name: 'notfound'; path: string };

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function parseBilling(parts: string[], path: string): Route {
  if (parts.length === 1) return { name: 'billing' };
  const [, what, id] = parts;
  if (parts.length === 2) {
    if (what === 'review') return { name: 'billing-review' };
    if (what === 'tariffs') return { name: 'billing-tariffs' };
    if (what === 'accounts') return { name: 'billing-accounts' };
    if (what === 'runs') return { name: 'billing' };
  }
  if (parts.length === 3) {
    const d = decode(id);
    if (d !== null && what === 'runs') return { name: 'billing-run', id: d };
    if (d !== null && what === 'bills') return { name: 'billing-bill', id: d };
    if (d !== null && what === 'tariffs') return { name: 'billing-tariff', id: d };
  }
  return { name: 'notfound', path };
}

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\?.*$/, '') || '/';
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { name: 'fleet' };
  if (parts.length === 1 && parts[0] === 'login') return { name: 'login' };
  if (parts.length === 1 && parts[0] === 'fleet') return { name: 'fleet' };
  if (parts.length === 1 && parts[0] === 'events') return { name: 'events' };
  if (parts.length === 1 && parts[0] === 'audit') return { name: 'audit' };
  if (parts.length === 1 && parts[0] === 'users') return { name: 'users' };
  if (parts.length === 1 && parts[0] === 'account') return { name: 'account' };
  if (parts[0] === 'billing') return parseBilling(parts, path);
  if (parts.length === 2 && parts[0] === 'devices') {
    try {
      return { name: 'device', id: decodeURIComponent(parts[1]) };
    } catch {
      return { name: 'notfound', path };
    }
  }
  return { name: 'notfound', path };
}

export function deviceHref(id: string): string {
  return `#/devices/${encodeURIComponent(id)}`;
}

export function runHref(id: string | number): string {
  return `#/billing/runs/${encodeURIComponent(String(id))}`;
}

export function billHref(id: string | number, fromReview = false): string {
  return `#/billing/bills/${encodeURIComponent(String(id))}${fromReview ? '?from=review' : ''}`;
}

export function tariffHref(id: string): string {
  return `#/billing/tariffs/${encodeURIComponent(id)}`;
}

/** A query parameter of the hash ("#/billing/bills/4?from=review", "from" -> "review"). */
export function hashParam(hash: string, name: string): string | null {
  const q = hash.indexOf('?');
  return q < 0 ? null : new URLSearchParams(hash.slice(q + 1)).get(name);
}
