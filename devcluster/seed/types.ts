// The contract between the demo seed (devcluster/seed) and the API server.
export interface SeedResult {
  /**
   * Kubernetes objects to create at start, as a real install would have them:
   * Namespace, Deployment, Secret, ConfigMap, PersistentVolumeClaim
   * (metadata.namespace set on namespaced ones).
   */
  objects: Array<Record<string, any>>;
  /** Host directory holding the content of each PVC, keyed `namespace/claimName`. */
  volumes: Record<string, string>;
  /** Deployments (keyed `namespace/name`) whose pod must crash-loop. */
  crashLooping: string[];
  /** Channels, threads and the bot token the fake Discord serves. */
  discord: SeedDiscord;
}

export interface SeedOptions {
  /** Directory the seed may write volumes under (the cluster's temp dir). */
  dataDir: string;
  /** Number of Codex agents (demo default 8, at least 6). */
  agents?: number;
}

/** What the fake Discord API must know to answer like Discord for the seeded fleet. */
export interface SeedDiscord {
  botToken: string;
  guildId: string;
  channels: Array<{
    id: string;
    name: string;
    /** 'text' channel or a 'thread' under parentId. */
    type: 'text' | 'thread';
    parentId?: string;
    /** False where the bot lacks Send Messages / Attach Files (answers 403 code 50013). */
    botCanPost: boolean;
  }>;
}
