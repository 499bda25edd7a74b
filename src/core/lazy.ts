/**
 * Work that starts when it is first awaited, or when told to, rather than when it is described.
 *
 * @module
 */

/** A promise-like whose work starts on the first `then` (an `await`) or {@link Lazy.start}. */
export interface Lazy<T> extends PromiseLike<T> {
  /** Start the work now, if it has not started; its result is awaited as before. */
  start(): void
  /** Settles as the work does, once it has run; awaiting it does not start the work. */
  readonly finished: Promise<T>
}

/** Describe `run`, which runs once, when the result is first asked for or {@link Lazy.start} is called. */
export function lazy<T>(run: () => Promise<T>): Lazy<T> {
  let running: Promise<T> | undefined
  let settle: (result: Promise<T>) => void = () => undefined
  const finished = new Promise<T>((resolve) => {
    settle = resolve
  })
  // As for `start`: a rejection is for whoever awaits `finished`.
  finished.then(undefined, () => undefined)
  const started = (): Promise<T> => {
    if (running === undefined) {
      // Run now; a throw becomes a rejection, so that `finished` settles whatever happens.
      running = (async () => run())()
      settle(running)
    }
    return running
  }
  return {
    finished,
    start() {
      // A rejection is for whoever awaits the result; starting alone does not leave it unhandled.
      started().then(undefined, () => undefined)
    },
    then(onFulfilled, onRejected) {
      return started().then(onFulfilled, onRejected)
    },
  }
}
