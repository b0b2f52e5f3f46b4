// Watch streams as kube-apiserver's watch cache serves them: initial state or a resume from a
// resourceVersion, 410 Gone past the kept history, bookmarks, and timeoutSeconds.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tableVersion, truthy, type ApiServerDeps, type Route } from './http';
import { apiVersionOf } from './resources';
import { selected } from './routing';
import type { K8sObject } from './store';
import { toTable, wantsTable } from './table';

export function watch(d: ApiServerDeps, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, r: Route): void {
  const { store } = d;
  const t = r.type;
  const filter = selected(q, r);
  const hasSelector = !!(q.get('labelSelector') || q.get('fieldSelector'));
  const table = wantsTable(req.headers.accept);
  const tv = tableVersion(req.headers.accept);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const write = (type: string, json: string, obj?: K8sObject) => {
    const body =
      table && obj
        ? JSON.stringify(toTable(t.resource, [obj], { resourceVersion: obj.metadata.resourceVersion }, q.get('includeObject'), tv))
        : json;
    res.write(`{"type":"${type}","object":${body}}\n`);
  };
  const rvParam = q.get('resourceVersion');
  const sendInitial = truthy(q.get('sendInitialEvents'));
  if (!rvParam || rvParam === '0' || sendInitial) {
    for (const o of store.list(t.resource, r.namespace).filter(filter)) write('ADDED', JSON.stringify(o), o);
    if (sendInitial) {
      const bookmark = {
        kind: t.kind,
        apiVersion: apiVersionOf(t),
        metadata: { resourceVersion: String(store.currentVersion()), annotations: { 'k8s.io/initial-events-end': 'true' } },
      };
      write('BOOKMARK', JSON.stringify(bookmark));
    }
  } else {
    const since = Number(rvParam);
    const past = Number.isFinite(since) ? store.eventsSince(t.resource, since) : null;
    if (!past) {
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${rvParam} (${store.currentVersion()})`,
        reason: 'Expired',
        code: 410,
      };
      write('ERROR', JSON.stringify(status));
      res.end();
      return;
    }
    for (const e of past) {
      const obj = hasSelector || table || r.namespace ? JSON.parse(e.json) : undefined;
      if (obj && !filter(obj)) continue;
      write(e.type, e.json, obj);
    }
  }
  // Objects the client currently believes match, so a label change that moves an
  // object into or out of the selection arrives as ADDED or DELETED, as the real watch cache does.
  const keyOf = (o: K8sObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const inView = new Set(hasSelector ? store.list(t.resource, r.namespace).filter(filter).map(keyOf) : []);
  const unsubscribe = store.subscribe(t.resource, (ev) => {
    if (!hasSelector) {
      if (filter(ev.object)) write(ev.type, ev.json, ev.object);
      return;
    }
    const key = keyOf(ev.object);
    const now = filter(ev.object);
    const was = inView.has(key);
    if (ev.type === 'DELETED') {
      inView.delete(key);
      if (was || now) write('DELETED', ev.json, ev.object);
    } else if (now) {
      inView.add(key);
      write(was ? 'MODIFIED' : 'ADDED', ev.json, ev.object);
    } else if (was) {
      inView.delete(key);
      write('DELETED', ev.json, ev.object);
    }
  });
  // Bookmarks as the watch cache sends them: every interval, and one just before a timeout
  // closes the stream, so a client resumes from the newest version instead of an old one.
  const wantsBookmarks = truthy(q.get('allowWatchBookmarks'));
  const bookmark = () =>
    write(
      'BOOKMARK',
      JSON.stringify({ kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(store.currentVersion()) } }),
    );
  const timeout = Number(q.get('timeoutSeconds') ?? 0);
  const timer =
    timeout > 0
      ? setTimeout(() => {
          if (wantsBookmarks) bookmark();
          res.end();
        }, timeout * 1000)
      : undefined;
  const bookmarks = wantsBookmarks ? setInterval(bookmark, d.knobs.watchBookmarkMs) : undefined;
  const unregister = store.onCloseWatches(() => res.end());
  res.on('close', () => {
    unregister();
    unsubscribe();
    clearTimeout(timer);
    clearInterval(bookmarks);
  });
}
