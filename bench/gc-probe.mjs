// Preloaded into the benchmarked server (node --expose-gc --import): on SIGUSR2 it collects garbage
// and prints one line of memory figures, so retained memory can be told apart from GC slack.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  process.stdout.write(`MEMORY ${JSON.stringify({ rss, heapUsed, external, arrayBuffers })}\n`);
});
