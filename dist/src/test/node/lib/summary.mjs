// A script's JSON summary: each step records its outcome, a failing step does not stop the others,
// and the summary is printed as the last line of stdout (NodeScript.Result.json() reads it).

export class Summary {
  constructor() {
    this.data = { steps: {} };
  }

  /** Runs fn, stores what it returns under name, or {ok:false, error} when it throws. */
  async step(name, fn) {
    const started = Date.now();
    try {
      const value = await fn();
      this.data.steps[name] = { ok: true, elapsedMs: Date.now() - started, ...value };
    } catch (error) {
      this.data.steps[name] = { ok: false, elapsedMs: Date.now() - started, error: describe(error) };
      process.stderr.write(`step ${name} failed: ${error?.stack ?? error}\n`);
    }
    return this.data.steps[name];
  }

  set(key, value) {
    this.data[key] = value;
  }

  print() {
    process.stdout.write(JSON.stringify(this.data) + '\n');
  }
}

export function describe(error) {
  return {
    name: error?.name,
    code: error?.code,
    message: String(error?.message ?? error),
  };
}

/** Rejects when the promise does not settle within ms. */
export function within(ms, promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}
