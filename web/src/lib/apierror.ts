// API errors: any status >= 400 carries {"error": {"code", "message", "field"}}.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string;
  /** Seconds from Retry-After (429 answers), when the server sent one. */
  retryAfter: number | null = null;

  constructor(status: number, code: string, message: string, field = '') {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'too_many_requests',
  500: 'internal',
  503: 'unavailable',
};

const DEFAULT_MESSAGE: Record<string, string> = {
  invalid_argument: 'The request was not valid.',
  unauthenticated: 'Please sign in.',
  permission_denied: 'You are not allowed to do this.',
  forbidden: 'You are not allowed to do this.',
  password_change_required: 'Change your password before going on.',
  too_many_requests: 'Too many attempts; wait a moment and try again.',
  not_found: 'Not found.',
  conflict: 'The request conflicts with the current state.',
  payload_too_large: 'The request is too large.',
  unavailable: 'The server is unavailable; try again shortly.',
  internal: 'The server had an internal error.',
};

/** Builds an ApiError from a response status, status text and body text (which may not be JSON). */
export function parseApiError(status: number, body: string, statusText = ''): ApiError {
  const fallbackCode = CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'unknown');
  let code = fallbackCode;
  let message = '';
  let field = '';
  let coded = status in CODE_BY_STATUS; // a status the API documents, or a code from the body
  try {
    const parsed: unknown = JSON.parse(body);
    const err = parsed && typeof parsed === 'object' ? (parsed as { error?: unknown }).error : undefined;
    if (err && typeof err === 'object') {
      const e = err as { code?: unknown; message?: unknown; field?: unknown };
      if (typeof e.code === 'string' && e.code) {
        code = e.code;
        coded = true;
      }
      if (typeof e.message === 'string') message = e.message;
      if (typeof e.field === 'string') field = e.field;
    } else if (typeof err === 'string') {
      message = err;
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): fall back to the status.
  }
  if (!message) {
    message = (coded ? DEFAULT_MESSAGE[code] : undefined) ?? `HTTP ${status}${statusText ? ' ' + statusText : ''}`;
  }
  return new ApiError(status, code, message, field);
}

/** A message for any thrown value: the API's message, or a network failure. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.field ? `${e.message} (${e.field})` : e.message;
  if (e instanceof TypeError) return 'Cannot reach the server. Check your connection.';
  if (e instanceof Error) return e.message;
  return String(e);
}
