import { describe, expect, it } from 'vitest';
import { authBodyProblem } from './auth-body';

const post = (body: string, type: string) =>
  new Request('http://dash/api/auth/callback/local', { method: 'POST', body, headers: { 'content-type': type } });

describe('sign-in bodies next-auth would answer with a 500', () => {
  it('names malformed JSON, JSON that is not an object of strings, bad percent-encoding and oversize bodies', async () => {
    expect(await authBodyProblem(post('{"username":', 'application/json'))).toEqual({
      status: 400,
      message: 'The request body is not valid JSON.',
    });
    expect((await authBodyProblem(post('null', 'application/json')))?.status).toBe(400);
    expect((await authBodyProblem(post('[1]', 'application/json')))?.status).toBe(400);
    expect((await authBodyProblem(post('{"username":{"$ne":1}}', 'application/json')))?.message).toMatch(/string/);
    expect((await authBodyProblem(post('username=%ZZ', 'application/x-www-form-urlencoded')))?.status).toBe(400);
    expect((await authBodyProblem(post('x='.padEnd(70_000, 'a'), 'application/x-www-form-urlencoded')))?.status).toBe(413);
  });

  it('lets well-formed bodies through', async () => {
    expect(await authBodyProblem(post('{"username":"ada","password":"p","csrfToken":"t"}', 'application/json'))).toBeNull();
    expect(await authBodyProblem(post('username=ada&password=p%20q+r', 'application/x-www-form-urlencoded'))).toBeNull();
    expect(await authBodyProblem(new Request('http://dash/api/auth/session'))).toBeNull();
  });
});
