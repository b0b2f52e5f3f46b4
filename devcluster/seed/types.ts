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
}

export interface SeedOptions {
  /** Directory the seed may write volumes under (the cluster's temp dir). */
  dataDir: string;
  /** Number of Codex agents (demo default 8, at least 6). */
  agents?: number;
}
