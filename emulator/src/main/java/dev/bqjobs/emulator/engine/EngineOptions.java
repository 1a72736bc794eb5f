package dev.bqjobs.emulator.engine;

/** Settings of the job engine, fixed when the server starts. */
public final class EngineOptions {
  /** At most this many jobs RUNNING at once; the rest wait PENDING. */
  public final int maxRunningJobs;

  /** Range of random runtimes in ms given to jobs without the runtime label; max 0 = none. */
  public final long minRuntimeMs;

  public final long maxRuntimeMs;

  /** Seed of the runtime draws, so a workload's runtimes repeat across runs. */
  public final long seed;

  /** The email every job reports as its user. */
  public final String userEmail;

  public EngineOptions(
      int maxRunningJobs, long minRuntimeMs, long maxRuntimeMs, long seed, String userEmail) {
    if (maxRunningJobs < 1) {
      throw new IllegalArgumentException(
          "maxRunningJobs must be at least 1, got " + maxRunningJobs);
    }
    if (minRuntimeMs < 0 || maxRuntimeMs < minRuntimeMs) {
      throw new IllegalArgumentException(
          "job runtime range must be 0 <= min <= max, got " + minRuntimeMs + ".." + maxRuntimeMs);
    }
    this.maxRunningJobs = maxRunningJobs;
    this.minRuntimeMs = minRuntimeMs;
    this.maxRuntimeMs = maxRuntimeMs;
    this.seed = seed;
    this.userEmail = userEmail;
  }
}
