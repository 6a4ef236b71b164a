// The real kubectl, as a user runs it, against a given kubeconfig.
import { run } from '../util/exec.js';

export class Kubectl {
  constructor(private readonly kubeconfig: string) {}

  run(args: readonly string[], input?: string, timeoutMs = 60_000): Promise<string> {
    return run('kubectl', ['--kubeconfig', this.kubeconfig, ...args], {
      ...(input !== undefined ? { input } : {}),
      timeoutMs,
    });
  }

  json<T>(args: readonly string[]): Promise<T> {
    return this.run([...args, '-o', 'json']).then((out) => JSON.parse(out) as T);
  }
}
