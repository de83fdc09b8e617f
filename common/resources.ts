import { z } from 'zod';
import { OptionalHost } from './hosts.js';

/** Images, volumes, networks and single containers: requests and replies (issue 17). */

/** An image id (`sha256:<hex>` or a hex prefix of at least 12). */
export const ImageId = z
  .string()
  .regex(/^(sha256:)?[a-f0-9]{12,64}$/, 'an image id is sha256:<hex> or at least 12 hex digits');
/** Docker's own rule for volume and container names. */
export const VolumeName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, 'a volume name is letters, digits, "_", "." or "-"');
export const NetworkId = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, 'a network id or name is letters, digits, "_", "." or "-"');
export const ContainerId = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, 'a container id or name is letters, digits, "_", "." or "-"');
/** `<timestamp>` of `backups/<volume>/<timestamp>.tar.gz`. */
export const BackupId = z.string().regex(/^\d{8}T\d{9}Z(-\d+)?$/, 'not a backup id');
export const ResourceJobId = z.uuid();

/** A container as the resource pages name it. */
export const ContainerRef = z.object({
  id: z.string(),
  name: z.string(),
  /** compose project, '' for a container outside compose. */
  project: z.string(),
  service: z.string(),
  state: z.string(),
});
export type ContainerRef = z.infer<typeof ContainerRef>;

export const ImageSummary = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  digests: z.array(z.string()),
  size: z.number().describe('bytes, layers shared with other images included'),
  created: z.string(),
  dangling: z.boolean(),
  containers: z.array(ContainerRef),
  stacks: z.array(z.string()),
});
export type ImageSummary = z.infer<typeof ImageSummary>;
export const ImageList = z.array(ImageSummary);

export const RemoveImageQuery = z.object({
  force: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export const RemoveImageReply = z.object({
  untagged: z.array(z.string()),
  deleted: z.array(z.string()),
});
export type RemoveImageReply = z.infer<typeof RemoveImageReply>;

export const PruneMode = z.enum(['dangling', 'unused']);
export type PruneMode = z.infer<typeof PruneMode>;
export const PruneImagesRequest = z.object({ mode: PruneMode, dryRun: z.boolean().default(true) });
export type PruneImagesRequest = z.infer<typeof PruneImagesRequest>;
export const PrunedImage = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  /** deleted: the image goes; untagged: only the listed tags go (the image stays for a child). */
  action: z.enum(['deleted', 'untagged']),
  size: z.number(),
});
export type PrunedImage = z.infer<typeof PrunedImage>;
export const PruneImagesReply = z.object({
  dryRun: z.boolean(),
  mode: PruneMode,
  images: z.array(PrunedImage),
  /** Dry run: the bytes only these images hold (an estimate); real run: the engine's figure. */
  spaceReclaimed: z.number(),
});
export type PruneImagesReply = z.infer<typeof PruneImagesReply>;

export const VolumeSummary = z.object({
  name: z.string(),
  driver: z.string(),
  mountpoint: z.string(),
  created: z.string().nullable(),
  /** compose project that created it (label), null for others. */
  stack: z.string().nullable(),
  /** The owning compose project has no folder in the stacks dir any more. */
  orphan: z.boolean(),
  users: z.array(ContainerRef),
  labels: z.record(z.string(), z.string()),
});
export type VolumeSummary = z.infer<typeof VolumeSummary>;
export const VolumeList = z.array(VolumeSummary);
export const VolumeDetail = VolumeSummary.extend({
  /** bytes as the engine counts them (`docker system df`), null when the driver cannot say. */
  size: z.number().nullable(),
});
export type VolumeDetail = z.infer<typeof VolumeDetail>;

export const BackupSummary = z.object({
  id: BackupId,
  volume: z.string(),
  size: z.number(),
  createdAt: z.string(),
});
export type BackupSummary = z.infer<typeof BackupSummary>;
export const BackupList = z.array(BackupSummary);
export const RestoreRequest = z.object({
  /** Must be true when containers using the volume are running: they are stopped and started again. */
  confirm: z.boolean().default(false),
});
export type RestoreRequest = z.infer<typeof RestoreRequest>;
export const JobAccepted = z.object({ jobId: ResourceJobId });
export type JobAccepted = z.infer<typeof JobAccepted>;

export const ResourceJob = z.object({
  id: ResourceJobId,
  /** Set on `volume:job` events relayed from another host. */
  host: OptionalHost,
  kind: z.enum(['backup', 'restore']),
  volume: z.string(),
  backupId: z.string(),
  state: z.enum(['running', 'succeeded', 'failed']),
  /** What the job is doing now: stopping, emptying, copying, starting, done. */
  phase: z.string(),
  /** Tar bytes read from (backup) or sent to (restore) the engine so far. */
  bytes: z.number(),
  /** Restore: the size of the .tar.gz and how much of it has been read, for a percentage. */
  totalBytes: z.number().nullable(),
  doneBytes: z.number().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ResourceJob = z.infer<typeof ResourceJob>;

export const NetworkDriver = z.enum(['bridge', 'macvlan', 'ipvlan']);
const Cidr4 = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'a subnet is an IPv4 CIDR such as 10.10.0.0/24');
const Ip4 = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$/, 'a gateway is an IPv4 address');
export const CreateNetworkRequest = z
  .object({
    name: NetworkId,
    driver: NetworkDriver.default('bridge'),
    subnet: Cidr4.optional(),
    gateway: Ip4.optional(),
    /** Host interface for macvlan / ipvlan. */
    parent: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,14}$/, 'parent is a host interface name')
      .optional(),
    internal: z.boolean().default(false),
  })
  .refine((r) => !r.gateway || r.subnet, { message: 'a gateway needs a subnet', path: ['gateway'] });
export type CreateNetworkRequest = z.infer<typeof CreateNetworkRequest>;

export const NetworkSummary = z.object({
  id: z.string(),
  name: z.string(),
  driver: z.string(),
  scope: z.string(),
  internal: z.boolean(),
  subnets: z.array(z.object({ subnet: z.string(), gateway: z.string().nullable() })),
  stack: z.string().nullable(),
  /** bridge, host and none: the engine's own, never removable. */
  builtIn: z.boolean(),
  containers: z.array(ContainerRef),
});
export type NetworkSummary = z.infer<typeof NetworkSummary>;

export const AddressPool = z.object({ base: z.string(), size: z.number().int() });
export const PoolUsage = z.object({
  /** daemon.json when Berth could read default-address-pools there, else Docker's built-in defaults. */
  source: z.enum(['daemon.json', 'defaults']),
  pools: z.array(AddressPool),
  /** How many networks the pools hold, and how many of those blocks networks take. */
  capacity: z.number().int(),
  used: z.number().int(),
  warning: z.string().nullable(),
});
export type PoolUsage = z.infer<typeof PoolUsage>;
export const NetworkList = z.object({ networks: z.array(NetworkSummary), pools: PoolUsage });
export type NetworkList = z.infer<typeof NetworkList>;

export const CONTAINER_ACTIONS = ['start', 'stop', 'restart', 'kill', 'remove'] as const;
export const ContainerAction = z.enum(CONTAINER_ACTIONS);
export type ContainerAction = z.infer<typeof ContainerAction>;
export const ContainerActionQuery = z.object({
  /** remove: also a running container (it is killed). */
  force: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export const ContainerActionReply = z.object({
  id: z.string(),
  action: ContainerAction,
  /** The state after the action; `removed` after remove. */
  state: z.string(),
});
export type ContainerActionReply = z.infer<typeof ContainerActionReply>;
export const InspectQuery = z.object({
  /** Ask for the environment's values (only given to users who may read secrets). */
  reveal: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});

export const ContainerDetail = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  project: z.string(),
  service: z.string(),
  state: z.string(),
  exitCode: z.number().int().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  command: z.array(z.string()),
  /** Values are null when masked. */
  env: z.array(z.object({ name: z.string(), value: z.string().nullable() })),
  envMasked: z.boolean(),
  mounts: z.array(
    z.object({
      type: z.string(),
      name: z.string().nullable(),
      source: z.string(),
      destination: z.string(),
      readOnly: z.boolean(),
    }),
  ),
  ports: z.array(
    z.object({
      containerPort: z.number().int(),
      protocol: z.string(),
      hostIp: z.string().nullable(),
      hostPort: z.number().int().nullable(),
    }),
  ),
  networks: z.array(z.object({ name: z.string(), ipAddress: z.string(), aliases: z.array(z.string()) })),
  restartPolicy: z.object({ name: z.string(), maximumRetryCount: z.number().int() }),
  health: z
    .object({
      status: z.string(),
      failingStreak: z.number().int(),
      log: z.array(
        z.object({ start: z.string(), end: z.string(), exitCode: z.number().int(), output: z.string() }),
      ),
    })
    .nullable(),
});
export type ContainerDetail = z.infer<typeof ContainerDetail>;
