package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.DoubleSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one shard's requests with a sliding window of in-flight jobs, from one thread.
 *
 * <p>Up to {@code maxInFlight} jobs are tracked at once; the next request starts as soon as one
 * finishes, and each result is emitted as its job ends. Every tracked job has a next action
 * (insert, fetch after 409, poll, cancel) and a due time; the loop always performs the earliest due
 * action, sleeping until it is due. So short jobs finish fast, long ones cost few calls (per-job
 * exponential backoff with jitter), and no thread waits per job. Every wait is bounded: request
 * retries by count, polling by the job timeout plus a grace period after the cancel.
 */
final class ShardRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ShardRunner.class);

  /** How many times more attempts a request gets for rate-limit refusals than for other errors. */
  static final int RATE_LIMIT_PATIENCE = 3;

  /** Receives each result with the request it answers. */
  interface Output {
    void emit(PreparedJob request, JobResult result);
  }

  private enum Step {
    INSERT,
    FETCH_EXISTING,
    POLL,
    CANCEL
  }

  /** One request's job, through all its attempts; identical requests ride along as sharers. */
  private static final class Tracker {
    final PreparedJob request;
    final List<PreparedJob> sharers = new ArrayList<>();
    final List<String> attemptIds = new ArrayList<>();
    final long sequence;
    int attempt = 1;
    @Nullable String location;
    Step step = Step.INSERT;
    long dueAt;
    long startedAt;
    int requestFailures;

    /** Refusals for BigQuery's short-term rate limit, counted apart (see retryLater). */
    int rateLimitedFailures;

    int notFound;
    int polls;
    boolean cancelRequested;
    long cancelledAt;

    /** A rate-limiter slot reserved for this tracker's next call, or null. */
    @Nullable RateLimiter reservedSlot;

    Tracker(PreparedJob request, long sequence, long now) {
      this.request = request;
      this.sequence = sequence;
      this.location = request.location;
      this.dueAt = now;
      this.attemptIds.add(request.baseJobId);
    }

    String jobId() {
      return attemptIds.get(attemptIds.size() - 1);
    }

    /** A call got an answer: the counts of consecutive failed calls start over. */
    void answered() {
      requestFailures = 0;
      rateLimitedFailures = 0;
    }

    String fullId() {
      return request.project + ":" + (location == null ? "" : location) + "." + jobId();
    }

    JobReference reference() {
      return new JobReference()
          .setProjectId(request.project)
          .setJobId(jobId())
          .setLocation(location);
    }
  }

  private final JobService service;
  private final RunSettings settings;
  private final TimeSource time;
  private final RateLimiter inserts;
  private final RateLimiter gets;
  private final JobMetrics metrics;
  private final DoubleSupplier random;

  private final PriorityQueue<Tracker> due =
      new PriorityQueue<>(
          Comparator.<Tracker>comparingLong(t -> t.dueAt).thenComparingLong(t -> t.sequence));
  private final Map<String, Tracker> inFlight = new HashMap<>();
  private long sequence;

  ShardRunner(
      JobService service,
      RunSettings settings,
      TimeSource time,
      RateLimiter inserts,
      RateLimiter gets,
      JobMetrics metrics,
      DoubleSupplier random) {
    this.service = service;
    this.settings = settings;
    this.time = time;
    this.inserts = inserts;
    this.gets = gets;
    this.metrics = metrics;
    this.random = random;
  }

  /** Runs every request; returns when each has been emitted exactly once. */
  void run(Iterator<PreparedJob> requests, Output output) throws InterruptedException {
    while (true) {
      while (inFlight.size() < settings.maxInFlight && requests.hasNext()) {
        admit(requests.next(), output);
      }
      Tracker next = due.poll();
      if (next == null) {
        return; // nothing in flight and nothing left
      }
      long wait = next.dueAt - time.nowMillis();
      if (wait > 0) {
        time.sleepMillis(wait);
      }
      perform(next, output);
    }
  }

  private void admit(PreparedJob request, Output output) {
    Tracker same = inFlight.get(request.baseJobId);
    if (same == null) {
      Tracker tracker = new Tracker(request, sequence++, time.nowMillis());
      inFlight.put(request.baseJobId, tracker);
      due.add(tracker);
    } else if (same.request.fingerprint.equals(request.fingerprint)) {
      same.sharers.add(request); // the same key and configuration: one job
    } else {
      emit(
          output,
          request,
          JobResult.failed(
              request.key,
              request.request,
              null,
              new JobReference()
                  .setProjectId(request.project)
                  .setJobId(request.baseJobId)
                  .setLocation(request.location),
              "duplicate",
              "job ID collision: job ID "
                  + request.baseJobId
                  + " is already used by another request with a different configuration in this"
                  + " run; give each request its own job ID",
              List.of(request.baseJobId)));
    }
  }

  private void perform(Tracker t, Output output) throws InterruptedException {
    switch (t.step) {
      case INSERT:
        insert(t, output);
        break;
      case FETCH_EXISTING:
        fetchExisting(t, output);
        break;
      case POLL:
        poll(t, output);
        break;
      case CANCEL:
        cancel(t, output);
        break;
    }
  }

  private void insert(Tracker t, Output output) throws InterruptedException {
    if (!permitted(t, inserts)) {
      return;
    }
    Job job = InsertJobs.build(t.request, t.jobId(), settings.jobTimeoutMillis);
    Job answer;
    try {
      answer = service.insert(t.request.project, job);
    } catch (IOException e) {
      if (RetryClassifier.isAlreadyExists(e) && !t.request.isDryRun()) {
        // Most often our own earlier insert whose answer was lost; check before reattaching.
        String location = InsertJobs.locationFrom409(e.getMessage(), t.jobId());
        if (location != null) {
          t.location = location;
        }
        t.answered();
        schedule(t, Step.FETCH_EXISTING, time.nowMillis());
      } else if (RetryClassifier.isTransient(e)) {
        retryLater(t, e, "jobs.insert", output);
      } else {
        finishFailed(t, null, RetryClassifier.reasonOf(e), insertFailureMessage(t, e), output);
      }
      return;
    }
    t.answered();
    if (t.request.isDryRun()) {
      // Final at insert: statistics without a stored job; never polled.
      finish(t, OutcomeClassifier.result(t.request, answer, t.attemptIds), output);
      return;
    }
    metrics.jobsInserted.inc();
    adoptLocation(t, answer);
    t.startedAt = time.nowMillis();
    LOG.info("Started BigQuery job {} (key {}, attempt {})", t.fullId(), t.request.key, t.attempt);
    onState(t, answer, output);
  }

  /**
   * jobs.get for the tracker's job, or null when the call must wait for a rate slot or failed (then
   * the failure is already handled: retry scheduled or result emitted).
   */
  private @Nullable Job getJob(Tracker t, Output output) {
    if (!permitted(t, gets)) {
      return null;
    }
    try {
      Job job = service.get(t.request.project, t.jobId(), t.location);
      t.answered();
      return job;
    } catch (IOException e) {
      handlePollError(t, e, output);
      return null;
    }
  }

  private void fetchExisting(Tracker t, Output output) throws InterruptedException {
    Job existing = getJob(t, output);
    if (existing == null) {
      return;
    }
    String fingerprint = InsertJobs.fingerprintOf(existing);
    adoptLocation(t, existing);
    if (!t.request.fingerprint.equals(fingerprint)) {
      finishFailed(
          t,
          null,
          "duplicate",
          "job ID collision: job "
              + t.fullId()
              + " already exists and was not started for this request ("
              + (fingerprint == null
                  ? "it has no " + Labels.FINGERPRINT_LABEL + " label"
                  : "its " + Labels.FINGERPRINT_LABEL + " label is " + fingerprint)
              + ", this request's fingerprint is "
              + t.request.fingerprint
              + "); give the request another key, job ID or run token",
          output);
      return;
    }
    metrics.jobsReattached.inc();
    t.startedAt = startOf(existing);
    LOG.info("Reattached to existing BigQuery job {} (key {})", t.fullId(), t.request.key);
    onState(t, existing, output);
  }

  private void poll(Tracker t, Output output) throws InterruptedException {
    if (timedOut(t)) {
      schedule(t, Step.CANCEL, time.nowMillis());
      cancel(t, output);
      return;
    }
    Job job = getJob(t, output);
    if (job == null) {
      return;
    }
    metrics.polls.inc();
    t.notFound = 0;
    onState(t, job, output);
  }

  private void cancel(Tracker t, Output output) throws InterruptedException {
    if (!permitted(t, inserts)) { // jobs.cancel has a per-method quota like jobs.insert
      return;
    }
    Job answer = null;
    try {
      answer = service.cancel(t.request.project, t.jobId(), t.location);
    } catch (IOException e) {
      if (RetryClassifier.isTransient(e) && t.requestFailures + 1 < settings.maxRequestAttempts) {
        retryLater(t, e, "jobs.cancel", output);
        return;
      }
      // Best effort: jobTimeoutMs stops the job server-side anyway; keep polling to DONE.
      LOG.warn("Could not cancel BigQuery job {} after its timeout: {}", t.fullId(), e.toString());
    }
    t.answered();
    t.cancelRequested = true;
    t.cancelledAt = time.nowMillis();
    t.polls = 0; // learn the real final state soon
    LOG.info(
        "Cancelling BigQuery job {}: it exceeded the job timeout of {} ms",
        t.fullId(),
        settings.jobTimeoutMillis);
    if (answer != null && isDone(answer)) {
      onState(t, answer, output);
    } else {
      schedule(t, Step.POLL, time.nowMillis() + settings.pollInitialMillis);
    }
  }

  /** After any answer carrying the job: finish, rerun, or schedule the next poll. */
  private void onState(Tracker t, Job job, Output output) {
    long now = time.nowMillis();
    if (isDone(job)) {
      completeAttempt(t, job, output);
      return;
    }
    if (t.cancelRequested) {
      if (now - t.cancelledAt >= settings.cancelGraceMillis) {
        finishFailed(
            t,
            job,
            "timeout",
            "Job "
                + t.fullId()
                + " exceeded the job timeout of "
                + settings.jobTimeoutMillis
                + " ms and did not stop within "
                + settings.cancelGraceMillis
                + " ms of being cancelled",
            output);
        return;
      }
    } else if (timedOut(t)) {
      schedule(t, Step.CANCEL, now);
      return;
    }
    long delay =
        Backoff.delayMillis(
            settings.pollInitialMillis, settings.pollMaxMillis, t.polls++, random.getAsDouble());
    long next = now + delay;
    if (!t.cancelRequested) {
      next = Math.min(next, t.startedAt + settings.jobTimeoutMillis); // look again at the timeout
    }
    schedule(t, Step.POLL, Math.max(next, now + 1));
  }

  private void completeAttempt(Tracker t, Job job, Output output) {
    ErrorProto error = job.getStatus().getErrorResult();
    boolean pastDeadline =
        t.cancelRequested || time.nowMillis() - t.startedAt >= settings.jobTimeoutMillis;
    if (pastDeadline
        && error != null
        && ("stopped".equals(error.getReason()) || "timeout".equals(error.getReason()))) {
      // Stopped by our cancel or by the jobTimeoutMs backstop, whichever landed first.
      t.cancelRequested = true;
      finishFailed(
          t,
          job,
          "timeout",
          "Job "
              + t.fullId()
              + " exceeded the job timeout of "
              + settings.jobTimeoutMillis
              + " ms and was cancelled",
          output);
      return;
    }
    if (!t.cancelRequested
        && RetryClassifier.isRerunnable(error)
        && t.attempt < settings.maxJobAttempts) {
      metrics.jobReruns.inc();
      recordRuntime(job);
      LOG.info(
          "BigQuery job {} failed retryably ({}); rerunning as attempt {}",
          t.fullId(),
          error.getReason(),
          t.attempt + 1);
      t.attempt++;
      t.attemptIds.add(JobIds.forAttempt(t.request.baseJobId, t.attempt));
      t.location = t.request.location;
      t.polls = 0;
      t.notFound = 0;
      t.answered();
      long delay =
          Backoff.delayMillis(
              settings.requestBackoffInitialMillis,
              settings.requestBackoffMaxMillis,
              t.attempt - 2,
              random.getAsDouble());
      schedule(t, Step.INSERT, time.nowMillis() + delay);
      return;
    }
    recordRuntime(job);
    finish(t, OutcomeClassifier.result(t.request, job, t.attemptIds), output);
  }

  private void handlePollError(Tracker t, IOException e, Output output) {
    if (RetryClassifier.isNotFound(e)) {
      // Right after an insert jobs.get may lag; a 404 that persists is final.
      if (++t.notFound >= settings.maxNotFound) {
        finishFailed(
            t,
            null,
            "notFound",
            "Job "
                + t.fullId()
                + " was not found "
                + t.notFound
                + " times after it was started: "
                + e.getMessage(),
            output);
      } else {
        metrics.requestRetries.inc();
        schedule(t, t.step, time.nowMillis() + requestDelay(t.notFound - 1));
      }
    } else if (RetryClassifier.isTransient(e)) {
      retryLater(t, e, "jobs.get", output);
    } else {
      finishFailed(
          t,
          null,
          RetryClassifier.reasonOf(e),
          "jobs.get failed for job " + t.fullId() + ": " + e.getMessage(),
          output);
    }
  }

  private void retryLater(Tracker t, IOException e, String call, Output output) {
    // A rate-limit refusal says "later", not "broken": BigQuery asks for backoff. It slows the
    // JVM's limiter for every shard, and such refusals get RATE_LIMIT_PATIENCE times the attempts
    // of other transient errors (still bounded), so a tight quota delays requests, not fails them.
    boolean rateLimited = RetryClassifier.isRateLimited(e);
    int failures;
    int allowed;
    if (rateLimited) {
      (call.equals("jobs.get") ? gets : inserts).slowDown();
      failures = ++t.rateLimitedFailures;
      allowed = settings.maxRequestAttempts * RATE_LIMIT_PATIENCE;
    } else {
      failures = ++t.requestFailures;
      allowed = settings.maxRequestAttempts;
    }
    if (failures >= allowed) {
      finishFailed(
          t,
          null,
          RetryClassifier.reasonOf(e),
          call
              + " for job "
              + t.fullId()
              + " failed "
              + failures
              + " times, giving up: "
              + describe(e),
          output);
      return;
    }
    metrics.requestRetries.inc();
    LOG.debug("{} for job {} failed transiently, retrying: {}", call, t.fullId(), describe(e));
    schedule(t, t.step, time.nowMillis() + requestDelay(failures - 1));
  }

  private long requestDelay(int n) {
    return Backoff.delayMillis(
        settings.requestBackoffInitialMillis,
        settings.requestBackoffMaxMillis,
        n,
        random.getAsDouble());
  }

  /**
   * Whether the tracker may make its call of {@code limiter}'s kind now. If the next free slot is
   * later, it is reserved and the same step is rescheduled for then: the loop keeps polling the
   * shard's other jobs instead of sleeping on the limiter.
   */
  private boolean permitted(Tracker t, RateLimiter limiter) {
    if (t.reservedSlot == limiter) {
      t.reservedSlot = null;
      return true;
    }
    long wait = limiter.reserve();
    if (wait <= 0) {
      return true;
    }
    t.reservedSlot = limiter;
    schedule(t, t.step, time.nowMillis() + wait);
    return false;
  }

  private void schedule(Tracker t, Step step, long at) {
    t.step = step;
    t.dueAt = at;
    due.remove(t);
    due.add(t);
  }

  private boolean timedOut(Tracker t) {
    return !t.cancelRequested && time.nowMillis() - t.startedAt >= settings.jobTimeoutMillis;
  }

  private void finishFailed(
      Tracker t, @Nullable Job job, String reason, String message, Output output) {
    finish(
        t,
        JobResult.failed(
            t.request.key,
            t.request.request,
            job,
            job != null && job.getJobReference() != null ? job.getJobReference() : t.reference(),
            reason,
            message,
            t.attemptIds),
        output);
  }

  private void finish(Tracker t, JobResult result, Output output) {
    inFlight.remove(t.request.baseJobId);
    due.remove(t);
    String why =
        result.getErrorResult() == null
            ? ""
            : " "
                + result.getErrorResult().getReason()
                + ": "
                + result.getErrorResult().getMessage();
    LOG.info("BigQuery job {} ended {}{}", t.fullId(), result.getOutcome(), why);
    emit(output, t.request, result);
    for (PreparedJob sharer : t.sharers) {
      emit(output, sharer, result.forRequest(sharer.key, sharer.request));
    }
  }

  private void emit(Output output, PreparedJob request, JobResult result) {
    metrics.countOutcome(result.getOutcome());
    output.emit(request, result);
  }

  private void recordRuntime(Job job) {
    JobStatistics s = job.getStatistics();
    if (s != null && s.getEndTime() != null) {
      Long start = s.getStartTime() != null ? s.getStartTime() : s.getCreationTime();
      if (start != null) {
        metrics.jobRuntimeMs.update(Math.max(0, s.getEndTime() - start));
      }
    }
  }

  private long startOf(Job job) {
    JobStatistics s = job.getStatistics();
    return s != null && s.getCreationTime() != null ? s.getCreationTime() : time.nowMillis();
  }

  private static void adoptLocation(Tracker t, Job job) {
    // Poll where BigQuery put the job, not only where we asked.
    if (job.getJobReference() != null && job.getJobReference().getLocation() != null) {
      t.location = job.getJobReference().getLocation();
    }
  }

  private static boolean isDone(Job job) {
    return job.getStatus() != null && "DONE".equals(job.getStatus().getState());
  }

  private static String insertFailureMessage(Tracker t, IOException e) {
    String message = "jobs.insert failed for job " + t.fullId() + ": " + describe(e);
    if (e instanceof JobServiceException
        && "accessDenied".equals(((JobServiceException) e).getReason())) {
      message +=
          ". Starting a job needs permission bigquery.jobs.create in project "
              + t.request.project
              + ", granted by the roles bigquery.user, bigquery.jobUser and bigquery.admin";
    }
    return message;
  }

  private static String describe(IOException e) {
    return e instanceof JobServiceException
        ? e.toString()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
