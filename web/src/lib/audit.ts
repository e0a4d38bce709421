// Pure helpers for the audit log page: the verification verdict and a readable detail.

export interface AuditVerify {
  ok: boolean;
  entries: number;
  first_broken: { seq: number; reason: string } | null;
  last_hash?: string | null;
}

export const AUDIT_ACTIONS = ['auth.login', 'auth.login_failed', 'auth.logout', 'command.create'] as const;

// The line shown after "Verify chain", and whether it is good news.
export function verifyVerdict(v: AuditVerify | null | undefined): { ok: boolean; text: string } {
  if (!v || typeof v.ok !== 'boolean') return { ok: false, text: 'The server sent no verification result.' };
  const n = typeof v.entries === 'number' ? v.entries : 0;
  if (v.ok) return { ok: true, text: `Audit chain OK: ${n.toLocaleString('en-US')} entr${n === 1 ? 'y' : 'ies'} verified.` };
  const b = v.first_broken;
  if (!b) return { ok: false, text: 'Audit chain BROKEN.' };
  return { ok: false, text: `Audit chain BROKEN at entry ${b.seq}: ${b.reason}` };
}

// A JSON object detail as "key=value, key=value"; any other text as it is.
export function formatAuditDetail(detail: string | null | undefined): string {
  if (!detail) return '';
  const t = detail.trim();
  if (!t.startsWith('{')) return detail;
  try {
    const o = JSON.parse(t) as unknown;
    if (!o || typeof o !== 'object' || Array.isArray(o)) return detail;
    return Object.entries(o as Record<string, unknown>)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
  } catch {
    return detail;
  }
}
