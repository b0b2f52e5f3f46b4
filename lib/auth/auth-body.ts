/**
 * next-auth parses the body of its POST endpoints itself and answers a malformed one with a
 * 500 (JSON.parse throws inside it). This looks first, on a copy, and names what is wrong.
 */
const MAX_BODY_BYTES = 64 * 1024;

export interface BodyProblem {
  status: 400 | 413;
  message: string;
}

export async function authBodyProblem(request: Request): Promise<BodyProblem | null> {
  if (request.method !== 'POST' || !request.body) return null;
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  const isJson = type.includes('application/json');
  const isForm = type.includes('application/x-www-form-urlencoded');
  if (!isJson && !isForm) return null;
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) return { status: 413, message: `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { status: 400, message: 'The request body is not valid UTF-8.' };
  }
  if (isJson) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { status: 400, message: 'The request body is not valid JSON.' };
    }
    if (!value || typeof value !== 'object' || Array.isArray(value))
      return { status: 400, message: 'The request body must be a JSON object.' };
    if (!Object.values(value).every((v) => typeof v === 'string'))
      return { status: 400, message: 'Every field of the request body must be a string.' };
    return null;
  }
  for (const part of text.split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return { status: 400, message: 'The form body has a malformed percent-encoding.' };
    }
  }
  return null;
}
