// Decodes the few protobuf request bodies kubectl sends with its typed clients
// (`kubectl create namespace|secret|configmap`, `kubectl auth can-i`) into JSON.
// Answers always go back as JSON, which those clients also accept.
import { ApiError } from './status';

type Fields = Map<number, Array<Buffer | number>>;

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7;
  }
}

function parse(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    let key: number;
    [key, pos] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: Buffer | number;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      let len: number;
      [len, pos] = readVarint(buf, pos);
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}

const str = (f: Fields, n: number) => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const msg = (f: Fields, n: number) => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? parse(v) : undefined;
};

function map(f: Fields, n: number, bytes = false): Record<string, string> | undefined {
  const entries = f.get(n);
  if (!entries) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (!Buffer.isBuffer(e)) continue;
    const kv = parse(e);
    const k = str(kv, 1) ?? '';
    const v = kv.get(2)?.[0];
    out[k] = Buffer.isBuffer(v) ? (bytes ? v.toString('base64') : v.toString('utf8')) : '';
  }
  return out;
}

function prune<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function objectMeta(f: Fields | undefined): Record<string, unknown> {
  if (!f) return {};
  return prune({ name: str(f, 1), generateName: str(f, 2), namespace: str(f, 3), labels: map(f, 11), annotations: map(f, 12) });
}

const int = (f: Fields, n: number) => {
  const v = f.get(n)?.[0];
  return typeof v === 'number' ? v : undefined;
};
const msgs = (f: Fields, n: number) => (f.get(n) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v)).map(parse);
const strList = (f: Fields, n: number) => {
  const l = (f.get(n) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v)).map((b) => b.toString('utf8'));
  return l.length ? l : undefined;
};

/** The container fields `kubectl create deployment` fills. */
function container(f: Fields) {
  const env = msgs(f, 7).map((e) => prune({ name: str(e, 1), value: str(e, 2) }));
  const ports = msgs(f, 6).map((p) => prune({ name: str(p, 1), containerPort: int(p, 3), protocol: str(p, 4) }));
  return prune({
    name: str(f, 1),
    image: str(f, 2),
    command: strList(f, 3),
    args: strList(f, 4),
    workingDir: str(f, 5),
    ports: ports.length ? ports : undefined,
    env: env.length ? env : undefined,
  });
}

function deployment(f: Fields) {
  const spec = msg(f, 2);
  if (!spec) return { metadata: objectMeta(msg(f, 1)) };
  const selector = msg(spec, 2);
  const template = msg(spec, 3);
  const podSpec = template && msg(template, 2);
  const strategy = msg(spec, 4);
  return {
    metadata: objectMeta(msg(f, 1)),
    spec: prune({
      replicas: int(spec, 1),
      selector: selector ? prune({ matchLabels: map(selector, 1) }) : undefined,
      template: template
        ? { metadata: objectMeta(msg(template, 1)), spec: { containers: podSpec ? msgs(podSpec, 2).map(container) : [] } }
        : undefined,
      strategy: strategy && str(strategy, 1) ? { type: str(strategy, 1) } : undefined,
    }),
  };
}

const DECODERS: Record<string, (f: Fields) => Record<string, unknown>> = {
  Deployment: deployment,
  Namespace: (f) => ({ metadata: objectMeta(msg(f, 1)) }),
  Secret: (f) => prune({ metadata: objectMeta(msg(f, 1)), data: map(f, 2, true), type: str(f, 3), stringData: map(f, 5) }),
  ConfigMap: (f) => prune({ metadata: objectMeta(msg(f, 1)), data: map(f, 2), binaryData: map(f, 3, true) }),
  SelfSubjectRulesReview: (f) => {
    const spec = msg(f, 2);
    return { metadata: objectMeta(msg(f, 1)), spec: prune({ namespace: spec ? str(spec, 1) : undefined }) };
  },
  SelfSubjectAccessReview: (f) => {
    const spec = msg(f, 2);
    const ra = spec && msg(spec, 1);
    const nra = spec && msg(spec, 2);
    return {
      metadata: objectMeta(msg(f, 1)),
      spec: prune({
        resourceAttributes: ra
          ? prune({
              namespace: str(ra, 1),
              verb: str(ra, 2),
              group: str(ra, 3),
              version: str(ra, 4),
              resource: str(ra, 5),
              subresource: str(ra, 6),
              name: str(ra, 7),
            })
          : undefined,
        nonResourceAttributes: nra ? prune({ path: str(nra, 1), verb: str(nra, 2) }) : undefined,
      }),
    };
  },
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export function decodeProtobufObject(raw: Buffer): Record<string, unknown> {
  const unsupported = (what: string) =>
    new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json (${what} is not decoded from protobuf by this server)`,
    );
  if (raw.length < 4 || !raw.subarray(0, 4).equals(MAGIC)) throw unsupported('a body without the k8s protobuf envelope');
  let unknown: Fields;
  try {
    unknown = parse(raw.subarray(4));
  } catch {
    throw unsupported('a malformed body');
  }
  const typeMeta = msg(unknown, 1);
  const kind = typeMeta ? str(typeMeta, 2) : undefined;
  const apiVersion = typeMeta ? str(typeMeta, 1) : undefined;
  const decode = kind ? DECODERS[kind] : undefined;
  const body = unknown.get(2)?.[0];
  if (!decode || !Buffer.isBuffer(body)) throw unsupported(kind ?? 'this kind');
  return { apiVersion, kind, ...decode(parse(body)) };
}
