// The Deployment tests create when they need an agent of their own: shaped like the OpenAB
// chart's (Recreate, one container `openab`, HOME on a PVC), with what each test varies.
import type * as k8s from '@kubernetes/client-node';

export interface ChartDeploymentOptions {
  name: string;
  /** Pod and Deployment labels (the agent selector finds the Deployment by them). */
  labels: Record<string, string>;
  image: string;
  claimName: string;
  env?: k8s.V1EnvVar[];
  workingDir?: string;
}

export function chartDeployment(opts: ChartDeploymentOptions): k8s.V1Deployment {
  const { name, labels, image, claimName, env, workingDir } = opts;
  return {
    metadata: { name, labels },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'openab',
              image,
              ...(workingDir ? { workingDir } : {}),
              ...(env ? { env } : {}),
              volumeMounts: [{ name: 'data', mountPath: '/home/node' }],
            },
          ],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
        },
      },
    },
  };
}
