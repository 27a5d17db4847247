// Preloaded into the benchmarked exporter (with --expose-gc): SIGUSR2 runs a full GC, so memory is read as live data.
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
});
