package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 * exponential backoff with jitter), and no thread waits per job.
 *
 * <p>Every result tells the truth. A job whose state cannot be learned (an outage of jobs.get, an
 * insert whose answer may have been lost) is never reported FAILED while it may still run: the
 * calls are retried with capped, jittered backoff until the attempt's deadline (the job timeout
 * from its insert), then the job is cancelled and polled to DONE. Only a state that stays unknown
 * to the very end (the deadline plus the cancel grace), a jobs.get 404 that persists, or a
 * permanent jobs.get error ends as FAILED {@value #UNKNOWN_STATE}, saying where to find the job.
 * Every wait is bounded: by the deadline and the grace after the cancel, and, for an insert that
 * cannot have reached BigQuery, by a count of attempts.
 */
final class ShardRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ShardRunner.class);

  /** How many times more attempts a request gets for rate-limit refusals than for other errors. */
  static final int RATE_LIMIT_PATIENCE = 3;

  /**
   * While requests wait for a slot lent by another shard, the loop looks for one at least this
   * often (instead of sleeping until its own next poll, up to the maximum poll interval).
   */
  static final long BORROW_CHECK_MILLIS = 100;

  /** Bounds of the backstop poll interval while jobs.list detects completion. */
  static final long BACKSTOP_MIN_MILLIS = 60_000;

  static final long BACKSTOP_MAX_MILLIS = 300_000;

  /** The reason of a result whose job's final state could not be learned. */
  static final String UNKNOWN_STATE = "unknownState";

  /** Receives each result with the request it answers. */
  interface Output {
    void emit(PreparedJob request, JobResult result);
  }

  /**
   * Asks the runner (through the shard's {@link ShardTracker}) before each request is admitted and
   * each result emitted. A refusal means the runner has checkpointed the shard: {@link #run}
   * returns and the jobs in flight wait for the call that resumes the shard.
   */
  interface Claims {
    boolean admit(long index);

    boolean emit(long index);

    /** Whether the call may go on (no checkpoint taken). */
    boolean mayContinue();

    /** Claims that are never refused: the whole shard runs in one call. */
    Claims ALL =
        new Claims() {
          @Override
          public boolean admit(long index) {
            return true;
          }

          @Override
          public boolean emit(long index) {
            return true;
          }

          @Override
          public boolean mayContinue() {
            return true;
          }
        };
  }

  /** A result ready to go out; it waits here while the shard is checkpointed. */
  private static final class Ready {
    final long index;
    final PreparedJob request;
    final JobResult result;

    Ready(long index, PreparedJob request, JobResult result) {
      this.index = index;
      this.request = request;
      this.result = result;
    }
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

    /** The request's position in the shard (what the shard's restriction counts). */
    final long index;

    /** Identical requests sharing this job, by their positions in the shard, in admission order. */
    final Map<Long, PreparedJob> sharers = new LinkedHashMap<>();

    final List<String> attemptIds = new ArrayList<>();
    final long sequence;
    int attempt = 1;
    @Nullable String location;
    Step step = Step.INSERT;
    long dueAt;

    /** When this attempt's first insert was sent (0: not yet); its deadline counts from here. */
    long startedAt;

    /** BigQuery has answered with this attempt's job (insert, 409, get or cancel). */
    boolean confirmed;

    /** An insert of this attempt may have created the job without our learning of it. */
    boolean mayExist;

    /** The last call about this attempt failed: we do not know what the job is doing. */
    boolean stateUnknown;

    @Nullable Exception lastError;

    /** The last failure of this attempt's insert: what to report if the job never started. */
    @Nullable Exception lastInsertError;

    /** Consecutive failed calls since the last answer. */
    int failures;

    /** Of those, refusals for BigQuery's short-term rate limit (see retryBounded). */
    int rateLimitedFailures;

    int notFound;
    int polls;

    /** When the first cancel was tried (0: not yet), and how many cancel calls failed. */
    long cancelStartedAt;

    int cancelFailures;

    /** Cancelling is over: BigQuery accepted the cancel, or we stopped trying; poll to DONE. */
    boolean cancelRequested;

    /** BigQuery answered a cancel of this attempt. */
    boolean cancelAccepted;

    /** A rate-limiter slot reserved for this tracker's next call, or null. */
    @Nullable RateLimiter reservedSlot;

    /** This job holds a slot borrowed from the JVM's budget, not one of the shard's own. */
    boolean borrowed;

    /** The attempt's entry in its project's fleet watcher (jobs.list detects its end), or null. */
    FleetWatcher.@Nullable Entry fleet;

    /**
     * The next poll is only the slow backstop: the fleet's jobs.list is expected to see the end.
     */
    boolean backstop;

    Tracker(PreparedJob request, long index, long sequence, long now) {
      this.request = request;
      this.index = index;
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
      failures = 0;
      rateLimitedFailures = 0;
      stateUnknown = false;
    }

    void failed(Exception e) {
      lastError = e;
      stateUnknown = true;
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
  private final JobBudget budget;

  /** Names the JVM's fleet watchers of this transform (one per project); null: per-job polling. */
  private final @Nullable String fleetId;

  private final Map<String, FleetWatcher> watchers = new HashMap<>();

  /** Per watcher: the generation and activity last acted on. */
  private final Map<FleetWatcher, long[]> watched = new HashMap<>();

  /** Runtimes of this shard's finished jobs: the backstop polls are scheduled from them. */
  private long finishedRuntimeSum;

  private long finishedRuntimeCount;

  /** Trackers holding borrowed slots; the others use the shard's own share. */
  private int borrowedHere;

  /** Every request has been admitted; the unused part of the share is lent to other shards. */
  private boolean exhausted;

  /**
   * Queue slots of the share given up because BigQuery refused inserts (rate or queue limits): at
   * most {@link RunSettings#queuedShare}, so the running part of the share is never cut.
   */
  private int queueCut;

  /** Inserts answered since the queue allowance last changed: it grows back one slot per share. */
  private int insertsSinceQueueChange;

  private final PriorityQueue<Tracker> due =
      new PriorityQueue<>(
          Comparator.<Tracker>comparingLong(t -> t.dueAt).thenComparingLong(t -> t.sequence));

  /** Keyed by project and base job ID: job IDs are unique per project only. */
  private final Map<String, Tracker> inFlight = new HashMap<>();

  private long sequence;

  /** The shard position of the next request to admit. */
  private long nextIndex;

  /** Results not yet emitted (a checkpoint refused their claims), in the order they ended. */
  private final ArrayDeque<Ready> ready = new ArrayDeque<>();

  ShardRunner(
      JobService service,
      RunSettings settings,
      TimeSource time,
      RateLimiter inserts,
      RateLimiter gets,
      JobMetrics metrics,
      DoubleSupplier random) {
    this(service, settings, time, inserts, gets, metrics, random, JobBudget.unshared(), null);
  }

  ShardRunner(
      JobService service,
      RunSettings settings,
      TimeSource time,
      RateLimiter inserts,
      RateLimiter gets,
      JobMetrics metrics,
      DoubleSupplier random,
      JobBudget budget,
      @Nullable String fleetId) {
    this.budget = budget;
    this.fleetId = fleetId;
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
    if (!run(requests, output, Claims.ALL)) {
      throw new IllegalStateException("a shard that cannot be checkpointed stopped early");
    }
  }

  /**
   * Runs the shard from request {@link #nextIndex()} on ({@code requests} iterates from there),
   * asking {@code claims} before each admission and emission. Returns true when every request has
   * been emitted exactly once, false when a claim was refused (the shard was checkpointed): the
   * jobs in flight and the results not yet emitted stay here, owed to the call that resumes the
   * shard (see {@link #owedIndices()}).
   */
  boolean run(Iterator<PreparedJob> requests, Output output, Claims claims)
      throws InterruptedException {
    while (true) {
      if (!drainReady(output, claims) || !claims.mayContinue()) {
        return false;
      }
      if (!admitWhilePossible(requests, claims)) {
        return false;
      }
      if (!drainReady(output, claims)) {
        return false;
      }
      boolean watching = watchFleet(output);
      Tracker next = due.peek();
      if (next == null) {
        if (!ready.isEmpty()) {
          continue; // the list's final states ended the last jobs: emit them first
        }
        if (!requests.hasNext()) {
          return true; // nothing in flight, nothing left, nothing owed
        }
        time.sleepMillis(BORROW_CHECK_MILLIS); // cannot happen with a share of at least 1
        continue;
      }
      long wait = next.dueAt - time.nowMillis();
      if (wait > 0) {
        if ((budget.shared() && requests.hasNext()) || watching) {
          // a slot may be lent, a list be due or another shard's list have ended jobs meanwhile
          wait = Math.min(wait, BORROW_CHECK_MILLIS);
        }
        time.sleepMillis(wait);
        continue;
      }
      due.poll();
      perform(next, output);
    }
  }

  /** The shard position of the next request to admit. */
  long nextIndex() {
    return nextIndex;
  }

  /**
   * Takes over requests a checkpointed call admitted whose results it did not emit, when this
   * runner did not run them (another JVM, or the parked runner was dropped): each is admitted again
   * without a claim and, like a re-executed shard, meets its own job by ID (409), reattaches and
   * polls it. {@code owed} must be in index order; {@code next} is where admission goes on.
   */
  void resume(List<PreparedJob> owed, long[] owedIndices, long next) {
    if (owed.size() != owedIndices.length) {
      throw new IllegalArgumentException(
          owed.size() + " owed requests for " + owedIndices.length + " indices");
    }
    for (int i = 0; i < owedIndices.length; i++) {
      admit(owed.get(i), owedIndices[i], false);
    }
    nextIndex = next;
  }

  /** Indices of admitted requests whose results are not yet emitted, ascending. */
  long[] owedIndices() {
    List<Long> all = new ArrayList<>();
    for (Tracker t : inFlight.values()) {
      all.add(t.index);
      all.addAll(t.sharers.keySet());
    }
    for (Ready r : ready) {
      all.add(r.index);
    }
    return all.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /**
   * Gives up this runner's hold on the JVM's shared state (borrowed slots, fleet entries) without
   * emitting: the shard's owed jobs are resumed elsewhere.
   */
  void abandon() {
    for (Tracker t : new ArrayList<>(inFlight.values())) {
      untrackInFleet(t);
      if (t.borrowed) {
        t.borrowed = false;
        borrowedHere--;
        budget.giveBack();
      }
    }
    inFlight.clear();
    due.clear();
    ready.clear();
  }

  private boolean drainReady(Output output, Claims claims) {
    while (!ready.isEmpty()) {
      Ready r = ready.peek();
      if (!claims.emit(r.index)) {
        return false;
      }
      ready.poll();
      metrics.countOutcome(r.result.getOutcome());
      output.emit(r.request, r.result);
    }
    return true;
  }

  /**
   * Lists the fleet's jobs when a list is due (one shard per JVM and project does it) and acts on
   * what the last list found: a hinted job is polled now; when the list stops detecting (refused,
   * failing, few jobs), backstop polls are brought forward to the per-job schedule. Returns whether
   * any watcher detects completion now.
   */
  private boolean watchFleet(Output output) {
    boolean watching = false;
    List<Tracker> listedDone = new ArrayList<>();
    for (FleetWatcher w : watchers.values()) {
      w.maybeList(service);
      boolean active = w.active();
      watching |= active;
      long[] seen = watched.get(w);
      long generation = w.generation();
      if (seen != null && seen[0] == generation && (seen[1] == 1) == active) {
        continue;
      }
      watched.put(w, new long[] {generation, active ? 1 : 0});
      long now = time.nowMillis();
      for (Tracker t : inFlight.values()) {
        if (t.fleet == null
            || t.step != Step.POLL
            || t.reservedSlot != null
            || watchers.get(t.request.project) != w) {
          continue;
        }
        if (t.fleet.hinted && t.fleet.finalState != null && t.jobId().equals(t.fleet.jobId)) {
          listedDone.add(t); // the list gave its final state: no jobs.get
        } else if (t.fleet.hinted) {
          t.fleet.hinted = false;
          t.backstop = false;
          if (t.dueAt > now) {
            metrics.fleetHints.inc();
            schedule(t, Step.POLL, now); // the list says it left: jobs.get decides
          }
        } else if ((!active || t.fleet.unseen)
            && t.backstop
            && t.dueAt > now + settings.pollInitialMillis) {
          t.backstop = false;
          schedule(t, Step.POLL, now + settings.pollInitialMillis);
        }
      }
    }
    for (Tracker t : listedDone) {
      Job job = t.fleet.finalState;
      t.fleet.hinted = false;
      t.fleet.finalState = null;
      t.backstop = false;
      metrics.fleetHints.inc();
      t.answered();
      t.confirmed = true;
      t.notFound = 0;
      onState(t, job, output); // as if jobs.get had answered with it
    }
    return watching;
  }

  private FleetWatcher.@Nullable Entry trackInFleet(Tracker t, Job job) {
    if (fleetId == null || t.cancelRequested) {
      return t.fleet;
    }
    if (t.fleet != null && t.fleet.jobId.equals(t.jobId())) {
      return t.fleet;
    }
    FleetWatcher w =
        watchers.computeIfAbsent(
            t.request.project,
            // lean results need no query plan: the list's DONE entries can be the final states
            p -> FleetWatcher.perJvm(fleetId, p, time, settings.leanResults));
    if (t.fleet != null) {
      w.untrack(t.fleet);
    }
    JobStatistics s = job.getStatistics();
    long created =
        s != null && s.getCreationTime() != null ? s.getCreationTime() : time.nowMillis();
    t.fleet = w.track(t.jobId(), t.location, created);
    return t.fleet;
  }

  private void untrackInFleet(Tracker t) {
    if (t.fleet != null) {
      FleetWatcher w = watchers.get(t.request.project);
      if (w != null) {
        w.untrack(t.fleet);
      }
      t.fleet = null;
    }
  }

  /**
   * The backstop poll's delay while the fleet's list detects completion: from what finished jobs
   * took (twice the mean runtime) and the job's own age (so its polls double), never sooner than
   * the per-job schedule, between {@value #BACKSTOP_MIN_MILLIS} and {@value #BACKSTOP_MAX_MILLIS}
   * ms.
   */
  private long backstopDelay(Tracker t, long perJobDelay) {
    long fromRuntimes =
        finishedRuntimeCount == 0 ? 0 : 2 * finishedRuntimeSum / finishedRuntimeCount;
    long age = t.startedAt > 0 ? time.nowMillis() - t.startedAt : 0;
    return Math.min(
        BACKSTOP_MAX_MILLIS,
        Math.max(BACKSTOP_MIN_MILLIS, Math.max(perJobDelay, Math.max(age, fromRuntimes))));
  }

  /**
   * Admits requests while the shard's own share has room, then while the JVM's budget lends slots;
   * once the last request is admitted, lends what the share no longer needs.
   */
  private boolean admitWhilePossible(Iterator<PreparedJob> requests, Claims claims) {
    while (requests.hasNext()) {
      boolean own = inFlight.size() - borrowedHere < ownCap();
      if (!own && !budget.tryBorrow()) {
        return true;
      }
      if (!claims.admit(nextIndex)) {
        if (!own) {
          budget.giveBack();
        }
        return false;
      }
      admit(requests.next(), nextIndex++, !own);
    }
    if (!exhausted) {
      exhausted = true;
      budget.lend(Math.max(0, ownCap() - (inFlight.size() - borrowedHere)));
    }
    return true;
  }

  /** The shard's own share, less the queue slots given up after refused inserts. */
  private int ownCap() {
    return settings.maxInFlight - queueCut;
  }

  /**
   * BigQuery refused an insert with a rate or queue limit: more jobs waiting in its queue would
   * only meet more refusals, so half of what is left of the queue allowance is given up (AIMD, as
   * the JVM's insert limiter does with its rate). Jobs already inserted are unaffected.
   */
  private void shrinkQueue() {
    int left = settings.queuedShare - queueCut;
    if (left > 0) {
      queueCut += Math.max(1, (left + 1) / 2);
      insertsSinceQueueChange = 0;
      LOG.debug(
          "Insert refused: queue allowance down to {} slots", settings.queuedShare - queueCut);
    }
  }

  /** An insert was accepted: after a whole share of them, one queue slot comes back. */
  private void growQueue() {
    if (queueCut > 0 && ++insertsSinceQueueChange >= settings.maxInFlight) {
      queueCut--;
      insertsSinceQueueChange = 0;
    }
  }

  private static String inFlightKey(PreparedJob request) {
    return request.project + "/" + request.baseJobId; // '/' cannot occur in a valid project ID
  }

  private void admit(PreparedJob request, long index, boolean borrowed) {
    Tracker same = inFlight.get(inFlightKey(request));
    if (same == null) {
      Tracker tracker = new Tracker(request, index, sequence++, time.nowMillis());
      tracker.borrowed = borrowed;
      if (borrowed) {
        borrowedHere++;
      }
      inFlight.put(inFlightKey(request), tracker);
      due.add(tracker);
      return;
    }
    if (borrowed) {
      budget.giveBack(); // no new job: the slot is not needed
    }
    if (same.request.fingerprint.equals(request.fingerprint)
        && same.request.key.equals(request.key)) {
      same.sharers.put(index, request); // the same key and configuration: one job
    } else {
      emit(
          index,
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
                  + " in project "
                  + request.project
                  + " is already used by another request with a different key or configuration"
                  + " in this run; give each request its own job ID",
              List.of(request.baseJobId)));
    }
  }

  private void perform(Tracker t, Output output) throws InterruptedException {
    try {
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
    } catch (RuntimeException e) {
      // A bug or a client surprise for one request must not fail the bundle and every other
      // request's result with it (guarantee 4): it becomes this request's result.
      LOG.warn("Unexpected error for BigQuery job {} ({})", t.fullId(), t.step, e);
      if (t.step == Step.INSERT && !t.confirmed && !t.mayExist) {
        finishFailed(
            t,
            null,
            "internalError",
            "jobs.insert for job "
                + t.fullId()
                + " failed unexpectedly: "
                + e
                + "; if the call reached BigQuery, the job may exist: look for job ID "
                + t.jobId()
                + " in project "
                + t.request.project,
            output);
      } else {
        finishUnknown(t, "an unexpected error: " + e, t.step != Step.FETCH_EXISTING, output);
      }
    }
  }

  private void insert(Tracker t, Output output) throws InterruptedException {
    if (t.mayExist && pastDeadline(t)) {
      // The job may be running: treat it like any job at its deadline.
      startCancel(t, output);
      return;
    }
    if (!permitted(t, inserts)) {
      return;
    }
    if (t.startedAt == 0) {
      t.startedAt = time.nowMillis();
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
        t.failed(e);
        t.lastInsertError = e;
        if (!t.request.isDryRun() && RetryClassifier.mayHaveCreatedJob(e)) {
          t.mayExist = true;
        }
        if (t.mayExist) {
          retryUntilDeadline(t, e, "jobs.insert");
        } else {
          retryBounded(t, e, "jobs.insert", output);
        }
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
    t.confirmed = true;
    growQueue();
    metrics.jobsInserted.inc();
    adoptLocation(t, answer);
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
      t.confirmed = true;
      return job;
    } catch (IOException e) {
      handleGetError(t, e, output);
      return null;
    }
  }

  private void fetchExisting(Tracker t, Output output) throws InterruptedException {
    if (pastDeadline(t)) {
      // Never cancel a job we could not show to be ours.
      finishUnknown(
          t,
          "a job with this ID exists (HTTP 409) but could not be read to check that it is this"
              + " request's job",
          false,
          output);
      return;
    }
    Job existing = getJob(t, output);
    if (existing == null) {
      return;
    }
    String fingerprint = InsertJobs.fingerprintOf(existing);
    String keyHash = InsertJobs.keyHashOf(existing);
    String expectedKeyHash = Labels.keyHash(t.request.key, t.request.baseJobId);
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
    if (keyHash != null && !keyHash.equals(expectedKeyHash)) {
      finishFailed(
          t,
          null,
          "duplicate",
          "job ID collision: job "
              + t.fullId()
              + " already exists with this configuration but was started for another request"
              + " (its "
              + Labels.KEY_LABEL
              + " label is "
              + keyHash
              + ", this request's is "
              + expectedKeyHash
              + "; for example an explicit job ID equal to another request's rerun ID); give the"
              + " request another key, job ID or run token",
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
      startCancel(t, output);
      return;
    }
    if (t.cancelRequested && t.stateUnknown && pastGrace(t)) {
      finishUnknown(
          t,
          "jobs.get kept failing until "
              + settings.cancelGraceMillis
              + " ms after the job timeout and the cancel (last: "
              + describe(t.lastError)
              + ")",
          false,
          output);
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

  private void startCancel(Tracker t, Output output) throws InterruptedException {
    schedule(t, Step.CANCEL, time.nowMillis());
    cancel(t, output);
  }

  private void cancel(Tracker t, Output output) throws InterruptedException {
    if (t.cancelStartedAt == 0) {
      t.cancelStartedAt = time.nowMillis(); // the cancel grace counts from here
      LOG.info(
          "Cancelling BigQuery job {}: it exceeded the job timeout of {} ms",
          t.fullId(),
          settings.jobTimeoutMillis);
    }
    if (!permitted(t, inserts)) { // jobs.cancel has a per-method quota like jobs.insert
      return;
    }
    Job answer;
    try {
      answer = service.cancel(t.request.project, t.jobId(), t.location);
    } catch (IOException e) {
      t.failed(e);
      t.cancelFailures++;
      if (RetryClassifier.isNotFound(e) && !t.confirmed) {
        finishNeverStarted(t, output);
        return;
      }
      boolean patient = t.cancelFailures < settings.maxRequestAttempts * RATE_LIMIT_PATIENCE;
      if (RetryClassifier.isTransient(e) && patient && !pastGrace(t)) {
        if (RetryClassifier.isRateLimited(e)) {
          inserts.slowDown();
        }
        metrics.requestRetries.inc();
        schedule(t, Step.CANCEL, time.nowMillis() + requestDelay(t.cancelFailures - 1));
        return;
      }
      // Best effort: jobTimeoutMs stops the job server-side anyway; keep polling to DONE.
      LOG.warn("Could not cancel BigQuery job {} after its timeout: {}", t.fullId(), describe(e));
      t.cancelRequested = true;
      t.polls = 0;
      schedule(t, Step.POLL, time.nowMillis() + settings.pollInitialMillis);
      return;
    }
    t.answered();
    t.confirmed = true;
    t.cancelRequested = true;
    t.cancelAccepted = true;
    t.polls = 0; // learn the real final state soon
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
      if (pastGrace(t)) {
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
    FleetWatcher.Entry fleet = t.cancelRequested ? null : trackInFleet(t, job);
    FleetWatcher w = fleet == null ? null : watchers.get(t.request.project);
    t.backstop = w != null && w.active() && !fleet.unseen;
    if (t.backstop) {
      delay = backstopDelay(t, delay);
    }
    long next = now + delay;
    if (!t.cancelRequested) {
      next = Math.min(next, t.startedAt + settings.jobTimeoutMillis); // look again at the timeout
    }
    schedule(t, Step.POLL, Math.max(next, now + 1));
  }

  private void completeAttempt(Tracker t, Job job, Output output) {
    ErrorProto error = job.getStatus().getErrorResult();
    boolean pastDeadline = t.cancelRequested || pastDeadline(t);
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
      String notRerun = RetryClassifier.whyNotRerunnable(job);
      if (notRerun != null) {
        recordRuntime(job);
        LOG.info("BigQuery job {} failed retryably but is not rerun: {}", t.fullId(), notRerun);
        finish(t, notRerunResult(t, job, error, notRerun), output);
        return;
      }
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
      t.startedAt = 0;
      t.confirmed = false;
      t.mayExist = false;
      t.lastInsertError = null;
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

  /** BigQuery's failure, with the reason it was not rerun added to its message. */
  private static JobResult notRerunResult(Tracker t, Job job, ErrorProto error, String why) {
    ErrorProto noted =
        error
            .clone()
            .setMessage(
                error.getMessage()
                    + " (bqjobs did not rerun this job under a new ID: "
                    + why
                    + ")");
    List<ErrorProto> errors =
        job.getStatus().getErrors() == null ? List.of() : job.getStatus().getErrors();
    return JobResult.create(
        t.request.key,
        t.request.request,
        job,
        job.getJobReference(),
        JobResult.Outcome.FAILED,
        noted,
        errors,
        t.attemptIds);
  }

  private void handleGetError(Tracker t, IOException e, Output output) {
    t.failed(e);
    boolean verifying = t.step == Step.FETCH_EXISTING;
    if (RetryClassifier.isNotFound(e)) {
      // Right after an insert jobs.get may lag; a 404 that persists is final.
      if (++t.notFound < settings.maxNotFound) {
        metrics.requestRetries.inc();
        schedule(t, t.step, time.nowMillis() + requestDelay(t.notFound - 1));
      } else if (!t.confirmed && !verifying) {
        finishNeverStarted(t, output);
      } else {
        finishUnknown(
            t,
            "jobs.get answered 404 "
                + t.notFound
                + " times after BigQuery "
                + (verifying ? "reported the job ID taken (409)" : "accepted the job")
                + ": "
                + e.getMessage(),
            !verifying,
            output);
      }
    } else if (RetryClassifier.isTransient(e) || RetryClassifier.isQuotaExceeded(e)) {
      // Not knowing is not failing: keep asking until the deadline (poll() then cancels).
      retryUntilDeadline(t, e, "jobs.get");
    } else {
      finishUnknown(t, "jobs.get failed: " + describe(e), !verifying, output);
    }
  }

  /**
   * Retries a call whose job may be running: no count limit, backoff capped at the request backoff
   * maximum; the deadline checks in insert() and poll() end it with a cancel.
   */
  private void retryUntilDeadline(Tracker t, IOException e, String call) {
    if (RetryClassifier.isRateLimited(e)) {
      (call.equals("jobs.get") ? gets : inserts).slowDown();
    }
    int failures = ++t.failures;
    metrics.requestRetries.inc();
    if (failures == settings.maxRequestAttempts) {
      LOG.warn(
          "{} for BigQuery job {} has failed {} times in a row; the job may be running, so it is"
              + " retried until its deadline ({} ms after its insert): {}",
          call,
          t.fullId(),
          failures,
          settings.jobTimeoutMillis,
          describe(e));
    } else {
      LOG.debug("{} for job {} failed transiently, retrying: {}", call, t.fullId(), describe(e));
    }
    long next = time.nowMillis() + requestDelay(failures - 1);
    if (t.startedAt > 0 && !t.cancelRequested) {
      next = Math.min(next, Math.max(time.nowMillis() + 1, deadlineOf(t)));
    }
    schedule(t, t.step, next);
  }

  /**
   * Retries an insert that cannot have created the job (refused connection, unknown host, rate
   * limit), a bounded number of times: a wrong endpoint must not hang for hours.
   */
  private void retryBounded(Tracker t, IOException e, String call, Output output) {
    // A rate-limit refusal says "later", not "broken": BigQuery asks for backoff. It slows the
    // JVM's limiter for every shard, and such refusals get RATE_LIMIT_PATIENCE times the attempts
    // of other transient errors (still bounded), so a tight quota delays requests, not fails them.
    boolean rateLimited = RetryClassifier.isRateLimited(e);
    int failures;
    int allowed;
    if (rateLimited) {
      inserts.slowDown();
      shrinkQueue();
      failures = ++t.rateLimitedFailures;
      allowed = settings.maxRequestAttempts * RATE_LIMIT_PATIENCE;
    } else {
      failures = ++t.failures;
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
              + " times, giving up; the job was not started: "
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

  private long deadlineOf(Tracker t) {
    return t.startedAt + settings.jobTimeoutMillis;
  }

  private boolean pastDeadline(Tracker t) {
    return t.startedAt > 0 && time.nowMillis() >= deadlineOf(t);
  }

  private boolean timedOut(Tracker t) {
    return !t.cancelRequested && t.cancelStartedAt == 0 && pastDeadline(t);
  }

  /** The cancel was tried long enough ago that a job still not DONE will not stop by itself. */
  private boolean pastGrace(Tracker t) {
    long cancelledAt = t.cancelStartedAt > 0 ? t.cancelStartedAt : deadlineOf(t);
    return time.nowMillis() - cancelledAt >= settings.cancelGraceMillis;
  }

  /**
   * Every insert failed without an answer, and BigQuery now says there is no such job: it never
   * started, so the insert's failure is the truth.
   */
  private void finishNeverStarted(Tracker t, Output output) {
    Exception last = t.lastInsertError != null ? t.lastInsertError : t.lastError;
    finishFailed(
        t,
        null,
        last == null ? "backendError" : RetryClassifier.reasonOf(last),
        "jobs.insert for job "
            + t.fullId()
            + " never got an answer before the job timeout of "
            + settings.jobTimeoutMillis
            + " ms, and BigQuery has no such job: it was not started (last error: "
            + describe(last)
            + ")",
        output);
  }

  /**
   * Ends a job whose state we could not learn: FAILED {@value #UNKNOWN_STATE}, never a BigQuery
   * failure, with what a user needs to find it. With {@code cancel}, one best-effort cancel first
   * (never for a job not shown to be ours); if its answer says DONE, that is reported instead.
   */
  private void finishUnknown(Tracker t, String why, boolean cancel, Output output) {
    boolean tried = t.cancelStartedAt > 0;
    if (cancel && !t.cancelRequested) {
      tried = true;
      try {
        Job answer = service.cancel(t.request.project, t.jobId(), t.location);
        t.cancelAccepted = true;
        if (answer != null && isDone(answer)) {
          adoptLocation(t, answer);
          recordRuntime(answer);
          finish(t, OutcomeClassifier.result(t.request, answer, t.attemptIds), output);
          return;
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("Could not cancel BigQuery job {}: {}", t.fullId(), e.toString());
      }
    }
    String location = t.location == null ? "(unknown; try US or EU)" : t.location;
    finishFailed(
        t,
        null,
        UNKNOWN_STATE,
        "The state of BigQuery job "
            + t.fullId()
            + " could not be learned: "
            + why
            + ". It may still be running or may have finished; this is not a BigQuery failure."
            + (t.cancelAccepted
                ? " A cancel was requested."
                : tried
                    ? " Cancelling it failed; BigQuery stops it at its jobTimeoutMs of "
                        + settings.jobTimeoutMillis
                        + " ms anyway."
                    : " It was not cancelled: it could not be shown to be this request's job.")
            + " Find it with jobs.get(projectId="
            + t.request.project
            + ", jobId="
            + t.jobId()
            + ", location="
            + location
            + ") or `bq show -j --location="
            + location
            + " "
            + t.request.project
            + ":"
            + t.jobId()
            + "`",
        output);
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

  private void finish(Tracker t, JobResult full, Output output) {
    JobResult result = settings.leanResults ? full.lean() : full;
    inFlight.remove(inFlightKey(t.request));
    due.remove(t);
    untrackInFleet(t);
    if (t.borrowed) {
      t.borrowed = false;
      borrowedHere--;
      budget.giveBack();
    } else if (exhausted) {
      budget.lend(1);
    }
    String why =
        result.getErrorResult() == null
            ? ""
            : " "
                + result.getErrorResult().getReason()
                + ": "
                + result.getErrorResult().getMessage();
    LOG.info("BigQuery job {} ended {}{}", t.fullId(), result.getOutcome(), why);
    emit(t.index, t.request, result);
    for (Map.Entry<Long, PreparedJob> sharer : t.sharers.entrySet()) {
      PreparedJob request = sharer.getValue();
      emit(sharer.getKey(), request, result.forRequest(request.key, request.request));
    }
  }

  /** Queues a result; the run loop emits it once its claim is granted. */
  private void emit(long index, PreparedJob request, JobResult result) {
    ready.add(new Ready(index, request, result));
  }

  private void recordRuntime(Job job) {
    JobStatistics s = job.getStatistics();
    if (s != null && s.getEndTime() != null) {
      Long start = s.getStartTime() != null ? s.getStartTime() : s.getCreationTime();
      if (start != null) {
        long runtime = Math.max(0, s.getEndTime() - start);
        finishedRuntimeSum += runtime;
        finishedRuntimeCount++;
        FleetWatcher w =
            watchers.get(job.getJobReference() == null ? "" : job.getJobReference().getProjectId());
        if (w != null) {
          w.finishedAfter(runtime);
        }
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
    if (t.mayExist) {
      message +=
          ". An earlier attempt of this insert got no answer: if it reached BigQuery, job "
              + t.jobId()
              + " may exist in project "
              + t.request.project;
    }
    return message;
  }

  private static String describe(@Nullable Exception e) {
    if (e == null) {
      return "none";
    }
    return e instanceof JobServiceException
        ? e.toString()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
