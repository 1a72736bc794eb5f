package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.faults.FaultPlan;
import dev.bqjobs.emulator.store.Catalog;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs jobs as BigQuery does: at most {@code maxRunningJobs} at a time, the rest PENDING in
 * insertion order; a running job stays RUNNING for its runtime without holding a thread (a timer
 * wakes it), then executes on a small worker pool, and its effects commit only as it turns DONE. A
 * cancel stops a job at any point before that commit and leaves no effects.
 */
final class JobScheduler implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(JobScheduler.class.getName());

  private final Catalog catalog;
  private final EngineOptions options;
  private final LongSupplier clock;
  private final JobRepository repository;
  private final JobCompletion completion;
  private final ScheduledExecutorService timer;
  private final ExecutorService workers;
  private final ArrayDeque<JobRecord> pending = new ArrayDeque<>();
  private volatile FaultPlan faults = FaultPlan.none();
  private int running; // guarded by pending

  JobScheduler(
      Catalog catalog,
      EngineOptions options,
      LongSupplier clock,
      JobRepository repository,
      JobCompletion completion) {
    this.catalog = catalog;
    this.options = options;
    this.clock = clock;
    this.repository = repository;
    this.completion = completion;
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("bqjobs-emulator-timer"));
    this.workers =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            daemon("bqjobs-emulator-worker"));
  }

  void setFaults(FaultPlan faults) {
    this.faults = faults;
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Queues a new PENDING job and starts it at once if a running slot is free. */
  void submit(JobRecord record) {
    synchronized (pending) {
      pending.add(record);
    }
    admit();
  }

  /** Starts pending jobs while running slots are free. */
  private void admit() {
    List<JobRecord> toStart = new ArrayList<>();
    synchronized (pending) {
      while (running < options.maxRunningJobs && !pending.isEmpty()) {
        JobRecord next = pending.poll();
        synchronized (next) {
          if (next.state != JobRecord.State.PENDING) {
            continue; // cancelled while it waited
          }
          next.state = JobRecord.State.RUNNING;
        }
        running++;
        toStart.add(next);
      }
    }
    for (JobRecord record : toStart) {
      start(record);
    }
  }

  private void start(JobRecord record) {
    long now = clock.getAsLong();
    long delay = record.runtimeMs;
    boolean timesOut = false;
    synchronized (record) {
      record.job.getStatus().setState("RUNNING");
      record.job.getStatistics().setStartTime(now);
      repository.persist(record);
      Long timeout = record.job.getConfiguration().getJobTimeoutMs();
      if (timeout != null) {
        long left = record.job.getStatistics().getCreationTime() + timeout - now;
        if (left < delay) {
          delay = Math.max(0, left);
          timesOut = true;
        }
      }
      final boolean timeoutFirst = timesOut;
      try {
        record.wake =
            timer.schedule(() -> dispatch(record, timeoutFirst), delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the server is shutting down; the job will never run
      }
    }
  }

  private void dispatch(JobRecord record, boolean timedOut) {
    try {
      workers.execute(() -> runToDone(record, timedOut));
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  private void runToDone(JobRecord record, boolean timedOut) {
    Execution execution = null;
    ErrorProto failure = null;
    try {
      synchronized (record) {
        if (record.state == JobRecord.State.DONE) {
          return;
        }
      }
      if (timedOut) {
        Long timeout = record.job.getConfiguration().getJobTimeoutMs();
        failure =
            Errors.of(
                "timeout",
                "Job execution was cancelled: Job timed out after "
                    + (timeout / 1000.0)
                    + " sec (jobTimeoutMs)");
      } else {
        repository.countExecution(record);
        String injected = faults.jobFault(record.project, record.jobId);
        if (injected != null) {
          failure = Errors.of(injected, injectedMessage(injected));
        } else {
          execution = record.kind.run(record);
        }
      }
    } catch (JobFailure f) {
      failure = f.error;
      synchronized (record) {
        record.failureErrors = f.errors;
      }
    } catch (RuntimeException | Error e) {
      LOG.log(Level.WARNING, "job " + record.fullId() + " failed inside the server", e);
      failure = Errors.of("backendError", "Backend error: " + e);
    }
    finish(record, execution, failure);
  }

  private static String injectedMessage(String reason) {
    switch (reason) {
      case "jobRateLimitExceeded":
        return "Job exceeded rate limits: Your project exceeded quota for concurrent jobs."
            + " Retry the job with a new job ID. (injected fault)";
      case "jobInternalError":
      case "jobBackendError":
        return "The job encountered an internal error during execution and was unable to"
            + " complete successfully. Retry the job with a new job ID. (injected fault)";
      default:
        return "Backend error. Job aborted. Retry the job. (injected fault)";
    }
  }

  /**
   * Commits a finished execution (or rolls it back if the job was cancelled) and frees its slot.
   */
  private void finish(JobRecord record, Execution execution, ErrorProto failure) {
    boolean storedWithEffects = false;
    try {
      synchronized (record) {
        if (record.state == JobRecord.State.DONE) {
          if (execution != null) {
            execution.rollback();
          }
          return;
        }
        if (record.cancelRequested) {
          if (execution != null) {
            execution.rollback();
          }
          failure = JobCompletion.stopped();
        } else if (execution != null) {
          try {
            storedWithEffects = completion.persistWithEffects(record, execution);
            execution.commit();
            for (TableReference t : execution.writtenTables) {
              catalog.touch(t.getProjectId(), t.getDatasetId(), t.getTableId());
            }
          } catch (SQLException e) {
            execution.rollback();
            storedWithEffects = false;
            failure = QueryRunner.failureOf(e, record.location).error;
          }
        }
        completion.markDone(record, execution, failure, storedWithEffects);
      }
    } finally {
      if (execution != null) {
        execution.close();
      }
      synchronized (pending) {
        running--;
      }
      admit();
    }
  }

  /** jobs.cancel: asynchronous and best effort; a DONE job is left as it is. */
  void cancel(JobRecord record) {
    boolean finishNow = false;
    synchronized (record) {
      if (record.state == JobRecord.State.DONE) {
        return;
      }
      record.cancelRequested = true;
      if (record.state == JobRecord.State.PENDING) {
        record.state = JobRecord.State.DONE;
        completion.markDone(record, null, JobCompletion.stopped());
        record.state = JobRecord.State.DONE;
      } else if (record.wake != null && record.wake.cancel(false)) {
        finishNow = true; // its runtime had not run out: nothing executed yet
      }
      // else it is executing: the worker sees cancelRequested and rolls back before DONE
    }
    if (finishNow) {
      finish(record, null, JobCompletion.stopped());
    }
    synchronized (pending) {
      pending.remove(record);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
