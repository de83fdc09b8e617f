import { z } from 'zod';
import { OptionalHost } from './hosts.js';
import { StackName, StackStatus } from './stack.js';

/** One container's figures at one sample. Byte counters are totals since the container started. */
export const ContainerStats = z.object({
  id: z.string(),
  service: z.string(),
  cpuPercent: z
    .number()
    .nullable()
    .describe(
      "% of one core, the docker CLI's formula (200 = two cores busy); null on a container's first sample",
    ),
  memBytes: z.number().describe('usage minus inactive file cache, as `docker stats` shows it'),
  memLimitBytes: z.number(),
  netRxBytes: z.number(),
  netTxBytes: z.number(),
  blockReadBytes: z.number(),
  blockWriteBytes: z.number(),
  pids: z.number(),
});
export type ContainerStats = z.infer<typeof ContainerStats>;

/** Every running container of a stack at one moment (`at`: ms since the epoch). */
export const StackStatsSample = z.object({ at: z.number(), containers: z.array(ContainerStats) });
export type StackStatsSample = z.infer<typeof StackStatsSample>;

export const DiskUse = z.object({
  path: z.string(),
  total: z.number().describe('bytes'),
  used: z.number().describe('bytes'),
});
export type DiskUse = z.infer<typeof DiskUse>;

export const LoadAverage = z.tuple([z.number(), z.number(), z.number()]);

/** What one stack costs right now, for the dashboard's top lists and the stack list. */
export const StackUse = z.object({
  name: z.string(),
  cpuPercent: z.number().describe('% of one core, summed over its containers'),
  memBytes: z.number(),
});
export type StackUse = z.infer<typeof StackUse>;

export const HostStatsSample = z.object({
  at: z.number(),
  cpuPercent: z
    .number()
    .nullable()
    .describe('% of the whole host (100 = every core busy); null on the first sample'),
  load: LoadAverage,
  memTotal: z.number(),
  memUsed: z.number().describe('MemTotal - MemAvailable'),
  disks: z.array(DiskUse),
  stacks: z.array(StackUse).describe('every compose project with running containers'),
});
export type HostStatsSample = z.infer<typeof HostStatsSample>;

export const StatsSubscribe = z.union([
  z.object({ stack: StackName, host: OptionalHost }),
  z.object({ scope: z.literal('host'), host: OptionalHost }),
]);
export type StatsSubscribe = z.infer<typeof StatsSubscribe>;

export const StatsSubscriptionId = z.string().min(1).max(64);
export const StatsUnsubscribe = z.object({ id: StatsSubscriptionId, host: OptionalHost });

export const StackStatsSubscribeReply = z.object({
  id: StatsSubscriptionId,
  scope: z.literal('stack'),
  cpus: z.number().describe("the host's cores: cpuPercent / cpus is the share of the host"),
  history: z.array(StackStatsSample).describe('the last 5 minutes, oldest first'),
});
export const HostStatsSubscribeReply = z.object({
  id: StatsSubscriptionId,
  scope: z.literal('host'),
  cpus: z.number(),
  history: z.array(HostStatsSample),
});
export const StatsSubscribeReply = z.union([StackStatsSubscribeReply, HostStatsSubscribeReply]);
export type StatsSubscribeReply = z.infer<typeof StatsSubscribeReply>;

/** `stats:sample`: the subscription's id plus a stack or host sample. */
export const StatsSampleEvent = z.union([
  StackStatsSample.extend({ id: StatsSubscriptionId, host: OptionalHost }),
  HostStatsSample.extend({ id: StatsSubscriptionId, host: OptionalHost }),
]);
export type StatsSampleEvent = z.infer<typeof StatsSampleEvent>;

/** GET /api/host. Engine figures are null while the engine cannot be reached. */
export const HostInfo = z.object({
  cpus: z.number(),
  load: LoadAverage,
  memTotal: z.number(),
  memUsed: z.number(),
  disks: z.array(DiskUse).describe("the stacks folder, then Docker's data root (when Berth can see it)"),
  containers: z.object({ running: z.number(), total: z.number() }).nullable(),
  images: z
    .object({ count: z.number(), bytes: z.number().describe('size of all layers, shared ones once') })
    .nullable(),
  stacks: z
    .partialRecord(StackStatus, z.number())
    .describe('number of stacks by status (statuses with none left out)'),
  engine: z.object({ reachable: z.boolean(), version: z.string().nullable() }),
});
export type HostInfo = z.infer<typeof HostInfo>;
