package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobList;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completion detection for a whole JVM's jobs in one project: about every {@value #INTERVAL_MILLIS}
 * ms one shard lists the caller's jobs still PENDING or RUNNING ({@code jobs.list}, {@code
 * projection=minimal}, from the oldest tracked job's creation time), and every tracked job missing
 * from the list is <em>hinted</em>: its shard fetches it with one jobs.get, which decides (the list
 * reads only, and is never trusted for a job's outcome). A job counts only if its insert was
 * answered before the list call, so a job too new to be listed is never hinted; a job in a location
 * the list names {@code unreachable} is neither hinted nor left to the slow backstop: its shard
 * polls it per job until a list sees its location again.
 *
 * <p>With final states ({@code withLeanResults}), the list asks for DONE jobs with {@code
 * projection=full} instead, from {@value #DONE_SKEW_MILLIS} ms before the oldest tracked job: a
 * tracked job in it is hinted with its entry, which its shard takes as jobs.get's answer, so no get
 * is made (the entry carries the status with warnings and errors, and the statistics).
 *
 * <p>Per-job polling stays the backstop and takes over entirely when the list is refused for lack
 * of {@code bigquery.jobs.list} (403: the project is marked, the shards poll each job), when it
 * keeps failing, and while fewer than {@value #MIN_JOBS} jobs are tracked unless they all started
 * within twice the mean runtime of finished jobs (then gets are cheaper). A refused or failed list
 * backs off (doubling to {@value #MAX_INTERVAL_MILLIS} ms), so about 50 JVMs under one principal
 * stay below jobs.list's 100 requests per second.
 */
final class FleetWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(FleetWatcher.class);
  private static final ConcurrentMap<String, FleetWatcher> PER_JVM = new ConcurrentHashMap<>();

  static final long INTERVAL_MILLIS = 500;
  static final long MAX_INTERVAL_MILLIS = 8_000;
  static final long MAX_RUNTIME_INTERVAL_MILLIS = 4_000;

  /** Below this many tracked jobs, per-job polling costs fewer calls than listing. */
  static final int MIN_JOBS = 4;

  /** Creation times are BigQuery's clock: list from a little before the oldest. */
  static final long CREATION_SKEW_MILLIS = 60_000;

  /**
   * The same for lists of DONE jobs, shorter because every extra second lists more finished jobs
   * again: tracked jobs' creation times come from BigQuery's own answers.
   */
  static final long DONE_SKEW_MILLIS = 5_000;

  /**
   * One tracked job: when its insert was answered, whether a list says it left, and whether the
   * last list could not see its location at all.
   */
  static final class Entry {
    final String jobId;
    final @Nullable String location;
    final long creationTime;
    final long answeredAt;
    volatile boolean hinted;

    /**
     * With final states from the list: the job as the list gave it once DONE (status, statistics,
     * configuration), taken as jobs.get's answer; else null.
     */
    volatile @Nullable Job finalState;

    /**
     * The last list named this job's location {@code unreachable} (or named some location while
     * this job's is unknown): its absence from the list says nothing, so it is polled per job.
     */
    volatile boolean unseen;

    Entry(String jobId, @Nullable String location, long creationTime, long answeredAt) {
      this.jobId = jobId;
      this.location = location;
      this.creationTime = creationTime;
      this.answeredAt = answeredAt;
    }
  }

  private final String project;
  private final TimeSource time;

  /** List DONE jobs with their final state ({@code projection=full}) instead of active ones. */
  private final boolean finalStates;

  private final Map<String, Entry> tracked = new ConcurrentHashMap<>();
  private final ReentrantLock listing = new ReentrantLock();
  private volatile boolean denied;
  private volatile long generation;
  private volatile long lastListAt;
  private volatile long lastSuccessAt;
  private volatile long interval = INTERVAL_MILLIS;
  private long lists;

  /** Mean runtime of finished jobs, as the shards report them (0: none yet). */
  private long runtimeSum;

  private long runtimeCount;

  FleetWatcher(String project, TimeSource time, boolean finalStates) {
    this.project = project;
    this.time = time;
    this.finalStates = finalStates;
  }

  /** The watcher of one transform's jobs in one project, in this JVM. */
  static FleetWatcher perJvm(
      String transformId, String project, TimeSource time, boolean finalStates) {
    return PER_JVM.computeIfAbsent(
        transformId + "/" + project + "/" + time,
        k -> new FleetWatcher(project, time, finalStates));
  }

  /** A job's insert (or reattach) was answered and it is not DONE. */
  Entry track(String jobId, @Nullable String location, long creationTime) {
    Entry e = new Entry(jobId, location, creationTime, time.nowMillis());
    tracked.put(jobId, e);
    return e;
  }

  void untrack(Entry e) {
    tracked.remove(e.jobId, e);
  }

  /**
   * Whether the list detects completion now: then per-job polls are only a slow backstop. False
   * when the project refused jobs.list, too few jobs are tracked, or lists have failed for a while.
   */
  boolean active() {
    if (denied || !worthListing()) {
      return false;
    }
    long now = time.nowMillis();
    return lastSuccessAt == 0 ? true : now - lastSuccessAt <= 4 * MAX_INTERVAL_MILLIS;
  }

  /**
   * Whether the tracked jobs justify a list each interval: at least {@value #MIN_JOBS}, or fewer
   * that are all due to end soon, each answered less than twice the mean runtime of finished jobs
   * ago. The last jobs of a run of short jobs are found within an interval of their ends instead of
   * at per-job polls a second and more apart (the tail of every run), for about as many calls; a
   * few jobs that run long are polled per job, where gets cost less than lists.
   */
  private boolean worthListing() {
    int n = tracked.size();
    if (n >= MIN_JOBS) {
      return true;
    }
    long meanRuntime = meanRuntimeMillis();
    if (n == 0 || meanRuntime == 0) {
      return false;
    }
    long now = time.nowMillis();
    for (Entry e : tracked.values()) {
      if (now - e.answeredAt >= 2 * meanRuntime) {
        return false;
      }
    }
    return true;
  }

  boolean denied() {
    return denied;
  }

  /** Bumps after every list and every change of {@link #active()}'s inputs worth a rescan. */
  long generation() {
    return generation;
  }

  /** A tracked job ended after this long: long jobs need less frequent lists. */
  synchronized void finishedAfter(long runtimeMillis) {
    runtimeSum += Math.max(0, runtimeMillis);
    runtimeCount++;
  }

  /** Mean runtime of the finished jobs the shards reported; 0 while none has. */
  private synchronized long meanRuntimeMillis() {
    return runtimeCount == 0 ? 0 : runtimeSum / runtimeCount;
  }

  /**
   * The time between lists: {@value #INTERVAL_MILLIS} ms, or a sixteenth of the mean runtime of
   * finished jobs if longer (at most {@value #MAX_RUNTIME_INTERVAL_MILLIS} ms), so a list costs
   * little per job however long the jobs run; longer while lists fail. Halved while fewer than
   * {@value #MIN_JOBS} jobs are left (see {@link #worthListing}): the end of the run waits for
   * them, and a few more lists over their last seconds cost next to nothing per job.
   */
  synchronized long interval() {
    long fromRuntimes = meanRuntimeMillis() / 16;
    long between = Math.max(interval, Math.min(MAX_RUNTIME_INTERVAL_MILLIS, fromRuntimes));
    return tracked.size() < MIN_JOBS ? between / 2 : between;
  }

  /** Milliseconds until the next list is due (0: now). */
  long untilNextList() {
    return Math.max(0, lastListAt + interval() - time.nowMillis());
  }

  synchronized long lists() {
    return lists;
  }

  /** A DONE entry of a full-projection list, with the status a final state needs. */
  private static boolean isFinal(JobList.Jobs j) {
    return j.getStatus() != null && "DONE".equals(j.getStatus().getState());
  }

  /** The list's entry as the job resource jobs.get would give (no etag or selfLink). */
  private static Job asJob(JobList.Jobs j) {
    return new Job()
        .setId(j.getId())
        .setKind(j.getKind())
        .setJobReference(j.getJobReference())
        .setStatus(j.getStatus())
        .setStatistics(j.getStatistics())
        .setConfiguration(j.getConfiguration())
        .setUserEmail(j.getUserEmail())
        .setPrincipalSubject(j.getPrincipalSubject());
  }

  /**
   * Lists if one is due and no other shard is listing; marks the tracked jobs that left the list.
   */
  void maybeList(JobService service) {
    if (denied || untilNextList() > 0 || !worthListing() || !listing.tryLock()) {
      return;
    }
    try {
      if (untilNextList() > 0) {
        return; // another shard just listed
      }
      long startedAt = time.nowMillis();
      lastListAt = startedAt;
      List<Entry> candidates = new ArrayList<>();
      long oldest = Long.MAX_VALUE;
      for (Entry e : tracked.values()) {
        if (e.answeredAt < startedAt) {
          candidates.add(e);
          oldest = Math.min(oldest, e.creationTime);
        }
      }
      if (candidates.isEmpty()) {
        return;
      }
      Set<String> active = new HashSet<>();
      Map<String, Job> done = new HashMap<>();
      Set<String> unreachable = new HashSet<>();
      String token = null;
      long from = Math.max(0, oldest - (finalStates ? DONE_SKEW_MILLIS : CREATION_SKEW_MILLIS));
      do {
        JobList page =
            finalStates
                ? service.listDone(project, from, token)
                : service.listActive(project, from, token);
        synchronized (this) {
          lists++;
        }
        if (page.getJobs() != null) {
          for (JobList.Jobs j : page.getJobs()) {
            if (j.getJobReference() == null) {
              continue;
            }
            String jobId = j.getJobReference().getJobId();
            if (!finalStates) {
              active.add(jobId);
            } else if (tracked.containsKey(jobId) && isFinal(j)) {
              done.put(jobId, asJob(j));
            }
          }
        }
        if (page.getUnreachable() != null) {
          for (String location : page.getUnreachable()) {
            unreachable.add(location.toLowerCase(Locale.ROOT));
          }
        }
        token = page.getNextPageToken();
      } while (token != null);
      for (Entry e : candidates) {
        e.unseen =
            !unreachable.isEmpty()
                && (e.location == null
                    || unreachable.contains(e.location.toLowerCase(Locale.ROOT)));
        if (e.unseen) {
          continue;
        }
        if (!finalStates && !active.contains(e.jobId)) {
          e.hinted = true;
        } else if (finalStates && done.containsKey(e.jobId)) {
          e.finalState = done.get(e.jobId);
          e.hinted = true;
        }
      }
      if (!unreachable.isEmpty()) {
        LOG.debug("jobs.list in project {} could not reach {}", project, unreachable);
      }
      lastSuccessAt = time.nowMillis();
      interval = INTERVAL_MILLIS;
      generation++;
    } catch (IOException | RuntimeException e) {
      if (e instanceof JobServiceException
          && ((JobServiceException) e).getStatusCode() == 403
          && !RetryClassifier.isRateLimited(e)
          && !"quotaExceeded".equals(((JobServiceException) e).getReason())) {
        denied = true;
        LOG.info(
            "jobs.list refused in project {} ({}): polling each job instead",
            project,
            e.getMessage());
      } else {
        interval = Math.min(MAX_INTERVAL_MILLIS, interval * 2);
        LOG.debug("jobs.list failed in project {}: {}", project, e.toString());
      }
      generation++;
    } finally {
      listing.unlock();
    }
  }
}
