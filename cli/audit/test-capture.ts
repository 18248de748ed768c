// Test helper: runs a `warden audit` command in process and collects what it printed, line by line.

/** The Io every audit command takes, writing into arrays (progress lines are dropped). */
export interface CapturingIo {
  out: (line: string) => void;
  err: (line: string) => void;
  progress: (line: string) => void;
}

/** What a command printed (lines joined with "\n") and the exit code it returned. */
export interface Captured {
  code: number;
  out: string;
  err: string;
}

/** Runs `command` with an Io that captures its output. */
export async function captured(command: (io: CapturingIo) => Promise<number>): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command({ out: (l) => out.push(l), err: (l) => err.push(l), progress: () => {} });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
