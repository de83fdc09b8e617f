import { PassThrough, type Readable } from 'node:stream';
import type {
  EngineClient,
  EngineContainer,
  EngineEvent,
  EngineVersion,
  EventSubscription,
  LogsRequest,
} from '../../server/src/engine/engine-client.js';

let seq = 0;

/** Factory for containers in specs: sensible defaults, override what the test is about. */
export function container(over: Partial<EngineContainer> = {}): EngineContainer {
  seq++;
  const project = over.project ?? 'demo';
  const service = over.service ?? `svc${seq}`;
  return {
    id: `c${seq}`.padEnd(12, '0'),
    name: `${project}-${service}-1`,
    project,
    service,
    state: 'running',
    health: null,
    exitCode: null,
    image: 'berth-test/busybox:latest',
    ports: [],
    restartPolicy: 'no',
    everStarted: true,
    oneOff: false,
    tty: false,
    created: '2024-01-01T00:00:00.000000000Z',
    ...over,
  };
}

/** An in-memory engine: tests set containers, push events, and cut the connection. */
export class FakeEngine implements EngineClient {
  readonly containers = new Map<string, EngineContainer>();
  up = true;
  listCalls = 0;
  inspectCalls = 0;
  /** Every line each container printed; `logs()` answers from here. */
  readonly logLines = new Map<string, FakeLogEntry[]>();
  logCalls = 0;
  /** Follow streams still open, per container id. */
  readonly followers = new Map<string, Set<PassThrough>>();
  private subs = new Set<{ onEvent: (e: EngineEvent) => void; onEnd: (err?: Error) => void }>();

  constructor(initial: EngineContainer[] = []) {
    for (const c of initial) this.containers.set(c.id, c);
  }

  private check(): void {
    if (!this.up) throw new Error('connect ECONNREFUSED /var/run/docker.sock');
  }

  version(): Promise<EngineVersion> {
    return this.up
      ? Promise.resolve({ version: '99.0.0-fake', apiVersion: '1.41' })
      : Promise.reject(new Error('connect ECONNREFUSED'));
  }

  async listComposeContainers(): Promise<EngineContainer[]> {
    this.check();
    this.listCalls++;
    return [...this.containers.values()].map((c) => ({ ...c }));
  }

  async inspectContainer(id: string): Promise<EngineContainer | null> {
    this.check();
    this.inspectCalls++;
    const c = this.containers.get(id);
    return c ? { ...c } : null;
  }

  async subscribe(
    onEvent: (e: EngineEvent) => void,
    onEnd: (err?: Error) => void,
  ): Promise<EventSubscription> {
    this.check();
    const sub = { onEvent, onEnd };
    this.subs.add(sub);
    return { close: () => this.subs.delete(sub) };
  }

  /** Changes a container (or removes it with null) and emits the matching event. */
  event(action: string, c: EngineContainer, attributes: Record<string, string> = {}): void {
    if (action === 'destroy') this.containers.delete(c.id);
    else this.containers.set(c.id, c);
    for (const s of this.subs) s.onEvent({ action, id: c.id, project: c.project, attributes });
  }

  /** The engine goes away: streams end with an error, calls fail. */
  stop(): void {
    this.up = false;
    for (const s of [...this.subs]) s.onEnd(new Error('socket hang up'));
    this.subs.clear();
  }

  start(): void {
    this.up = true;
  }

  async logs(id: string, req: LogsRequest): Promise<Readable> {
    this.check();
    this.logCalls++;
    const c = this.containers.get(id);
    if (!c) throw Object.assign(new Error('no such container'), { statusCode: 404 });
    const since = req.since === undefined ? -Infinity : Number(req.since);
    const until = req.until === undefined ? Infinity : Number(req.until);
    let entries = (this.logLines.get(id) ?? []).filter((e) => {
      const t = unixOf(e.ts);
      return t >= since && t <= until;
    });
    if (req.tail !== undefined) entries = req.tail === 0 ? [] : entries.slice(-req.tail);
    const out = new PassThrough();
    for (const e of entries) out.write(encodeLog(e, c.tty));
    if (req.follow && c.state === 'running') {
      const set = this.followers.get(id) ?? new Set<PassThrough>();
      this.followers.set(id, set);
      set.add(out);
      out.on('close', () => set.delete(out));
    } else {
      out.end();
    }
    return out;
  }

  /** A container prints a line: it is stored and sent to the open follow streams. */
  print(id: string, text: string, stream: 'stdout' | 'stderr' = 'stdout', ts = fakeTs()): void {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    const entry = { ts, stream, text };
    this.logLines.set(id, [...(this.logLines.get(id) ?? []), entry]);
    for (const f of this.followers.get(id) ?? []) f.write(encodeLog(entry, c.tty));
  }

  /** Follow streams of a container end, as the engine's do when the container stops. */
  endLogs(id: string): void {
    for (const f of this.followers.get(id) ?? []) f.end();
    this.followers.delete(id);
  }

  openFollowStreams(): number {
    let n = 0;
    for (const set of this.followers.values()) n += set.size;
    return n;
  }
}

export interface FakeLogEntry {
  ts: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

let clock = Date.UTC(2024, 0, 1, 12);
/** Strictly increasing time stamps in the engine's RFC 3339 nano format. */
export function fakeTs(): string {
  clock += 1;
  return new Date(clock).toISOString().replace('Z', '000000Z');
}

function unixOf(ts: string): number {
  return Date.parse(ts) / 1000;
}

/** The engine's wire format: `<ts> <text>\n`, in an 8-byte frame unless the container has a TTY. */
export function encodeLog(e: FakeLogEntry, tty: boolean): Buffer {
  const body = Buffer.from(`${e.ts} ${e.text}${tty ? '\r\n' : '\n'}`);
  if (tty) return body;
  const header = Buffer.alloc(8);
  header[0] = e.stream === 'stderr' ? 2 : 1;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}
