// Types of scripts/regions.mjs for the TypeScript that imports it (npm run drill, the regions drill e2e).
export const REGION_NAMES: string[];
export function parseRegions(argv: string[]): number;
export interface RegionSpec {
  name: string;
  index: number;
  offset: number;
  dataDir: string;
  apps: { name: string; port: number }[];
  appEnv: Record<string, string>;
  infraEnv: Record<string, string>;
}
export function regionSpec(index: number, env?: NodeJS.ProcessEnv): RegionSpec;
export function regionInfraEnv(spec: RegionSpec, env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export function mirrorMakerEnv(index: number, env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
