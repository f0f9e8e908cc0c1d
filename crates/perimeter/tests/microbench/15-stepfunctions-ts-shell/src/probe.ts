import { execFile } from 'child_process';
import { promisify } from 'util';

const run = promisify(execFile);

interface Job { video: string; format: string }

export const handler = async (job: Job) => {
  const { stdout } = await run('ffprobe', ['-v', 'quiet', `/tmp/${job.video}`]);
  return stdout.length;
};
