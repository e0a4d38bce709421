import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, parseApiError } from '../../src/lib/apierror';

describe('parseApiError', () => {
  it('reads the error object', () => {
    const e = parseApiError(400, JSON.stringify({ error: { code: 'invalid_argument', message: 'to must be after from', field: 'to' } }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid_argument');
    expect(e.message).toBe('to must be after from');
    expect(e.field).toBe('to');
  });
  it('keeps the server message for 401', () => {
    const e = parseApiError(401, '{"error":{"code":"unauthenticated","message":"wrong username or password","field":""}}');
    expect(e.message).toBe('wrong username or password');
    expect(e.field).toBe('');
  });
  it('falls back to the status when the body is not JSON', () => {
    const e = parseApiError(502, '<html>Bad Gateway</html>', 'Bad Gateway');
    expect(e.code).toBe('internal');
    expect(e.message).toBe('HTTP 502 Bad Gateway');
  });
  it('uses a default message per code when the message is empty', () => {
    expect(parseApiError(503, '').message).toMatch(/unavailable/);
    expect(parseApiError(404, '{"error":{"code":"not_found","message":""}}').message).toBe('Not found.');
    expect(parseApiError(418, '{}').code).toBe('unknown');
    expect(parseApiError(418, '{}').message).toBe('HTTP 418');
  });
  it('ignores fields of the wrong type', () => {
    const e = parseApiError(409, '{"error":{"code":5,"message":["x"],"field":null}}');
    expect(e.code).toBe('conflict');
    expect(e.field).toBe('');
    expect(e.message).toMatch(/conflicts/);
  });
  it('accepts a bare string error', () => {
    expect(parseApiError(500, '{"error":"boom"}').message).toBe('boom');
  });
});

describe('errorMessage', () => {
  it('names the field at fault', () => {
    expect(errorMessage(new ApiError(400, 'invalid_argument', 'bad medium', 'medium'))).toBe('bad medium (medium)');
    expect(errorMessage(new ApiError(404, 'not_found', 'no device D9'))).toBe('no device D9');
  });
  it('explains network failures', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/Cannot reach the server/);
    expect(errorMessage(new Error('x'))).toBe('x');
    expect(errorMessage('plain')).toBe('plain');
  });
});

describe('security codes', () => {
  it('knows forbidden, password_change_required and too_many_requests', () => {
    expect(parseApiError(403, '').code).toBe('forbidden');
    expect(parseApiError(403, '').message).toBe('You are not allowed to do this.');
    expect(parseApiError(403, '{"error":{"code":"password_change_required","message":""}}').message).toMatch(/password/);
    expect(parseApiError(429, '').code).toBe('too_many_requests');
    expect(parseApiError(403, '{"error":{"code":"forbidden","message":"needs commands:send"}}').message).toBe('needs commands:send');
  });
});
