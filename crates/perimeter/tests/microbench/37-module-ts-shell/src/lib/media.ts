import { execSync, spawnSync } from 'child_process';

export function convert(input: string, format: string): Buffer {
  return execSync(`convert /tmp/${input} /tmp/out.${format}`);
}

export function thumbnail(input: string, size: number): Buffer {
  return spawnSync('convert', [`/tmp/${input}`, '-thumbnail', `${size}x${size}`, '/tmp/t.png']).stdout;
}
