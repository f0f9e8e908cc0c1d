import { exec } from 'child_process';
import { promisify } from 'util';

const run = promisify(exec);

interface Job { video: string; format: string }

export const handler = async (job: Job) => {
  const { stdout } = await run(`ffmpeg -i /tmp/${job.video} /tmp/out.${job.format}`);
  return stdout.length;
};
