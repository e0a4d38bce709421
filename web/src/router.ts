// Hash routes: #/login, #/fleet, #/devices/{id}, #/events, #/audit, #/users, #/account.

export type Route =
  | { name: 'login' }
  | { name: 'fleet' }
  | { name: 'device'; id: string }
  | { name: 'events' }
  | { name: 'audit' }
  | { name: 'users' }
  | { name: 'account' }
  | { name: 'notfound'; path: string };

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
