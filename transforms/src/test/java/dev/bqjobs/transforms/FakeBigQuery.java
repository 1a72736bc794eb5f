package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobList;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.JobStatus;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An in-memory BigQuery jobs API for tests: jobs are kept in a map and run by a {@link FakeTime}
 * (PENDING, RUNNING, then DONE at creation + runtime); faults are injected deterministically; and
 * it counts what a test needs to prove (executions per job ID, calls, jobs in flight, call times).
 *
 * <p>Behaves like BigQuery where the transform can see it: 409 {@code duplicate} with {@code
 * Already Exists: Job PROJECT:LOCATION.JOBID}, 404 for the wrong location, asynchronous cancel, dry
 * runs not stored, {@code jobTimeoutMs} enforced, ms timestamps.
 */
final class FakeBigQuery implements JobService {
  private static final Map<String, FakeBigQuery> REGISTRY = new ConcurrentHashMap<>();

  /** How a job will behave. */
  static final class Plan {
    long runtimeMillis = 1_000;
    @Nullable ErrorProto errorResult;
    List<ErrorProto> errors = new ArrayList<>();

    /** A dry run refused with HTTP 400 {@code invalidQuery}. */
    boolean invalidAtInsert;

    /** The job ignores a cancel and the jobTimeoutMs stop (it was already committing). */
    boolean finishesDespiteCancel;

    long cancelDelayMillis = 500;

    /** What a query job reports as statistics.query.statementType (BigQuery always sets it). */
    String statementType = "SELECT";

    /** A multi-statement script's child jobs (statistics.numChildJobs), or null. */
    @Nullable Long numChildJobs;

    /** A failing multi-statement script: statementType SCRIPT with child jobs. */
    static Plan failingScript(long runtimeMillis, String reason) {
      Plan p = fail(runtimeMillis, reason);
      p.statementType = "SCRIPT";
      p.numChildJobs = 2L;
      return p;
    }

    static Plan succeed(long runtimeMillis) {
      Plan p = new Plan();
      p.runtimeMillis = runtimeMillis;
      return p;
    }

    static Plan fail(long runtimeMillis, String reason) {
      Plan p = succeed(runtimeMillis);
      p.errorResult = new ErrorProto().setReason(reason).setMessage("fake " + reason);
      p.errors.add(p.errorResult);
      return p;
    }

    static Plan warn(long runtimeMillis, String message) {
      Plan p = succeed(runtimeMillis);
      p.errors.add(new ErrorProto().setReason("invalid").setMessage(message));
      return p;
    }
  }

  enum Call {
    INSERT,
    GET,
    CANCEL,
    LIST
  }

  private static final class Fault {
    final Call call;
    final Predicate<String> jobIds;
    int remaining;
    final @Nullable Integer code;
    final @Nullable String reason;

    /** Apply the call, then lose the answer (the client sees an IOException). */
    final boolean loseResponse;

    Fault(
        Call call, Predicate<String> jobIds, int times, Integer code, String reason, boolean lose) {
      this.call = call;
      this.jobIds = jobIds;
      this.remaining = times;
      this.code = code;
      this.reason = reason;
      this.loseResponse = lose;
    }

    IOException error(String jobId) {
      if (code == null && "refused".equals(reason)) {
        return new ConnectException("Connection refused (fake) for " + jobId);
      }
      if (code == null) {
        return new IOException("Connection reset (fake) for " + jobId);
      }
      return new JobServiceException(code, reason, "fake " + reason + " for " + jobId);
    }
  }

  private static final class Stored {
    final String project;
    final String location;
    final String jobId;
    final JobConfiguration configuration;
    final long createdAt;
    final Plan plan;
    @Nullable Long cancelAt;

    Stored(String project, String location, String jobId, JobConfiguration c, long at, Plan p) {
      this.project = project;
      this.location = location;
      this.jobId = jobId;
      this.configuration = c;
      this.createdAt = at;
      this.plan = p;
    }
  }

  final String id = "fake-bq-" + UUID.randomUUID();
  final FakeTime time;
  private volatile Function<Job, Plan> planner = job -> Plan.succeed(1_000);
  private final List<Fault> faults = new ArrayList<>();
  private final List<Outage> outages = new ArrayList<>();

  private static final class Outage {
    final Call call;
    final BooleanSupplier active;
    final Supplier<IOException> error;

    Outage(Call call, BooleanSupplier active, Supplier<IOException> error) {
      this.call = call;
      this.active = active;
      this.error = error;
    }
  }

  private final Set<String> deniedProjects = new HashSet<>();
  private final Map<String, Stored> jobs = new HashMap<>();
  private final Map<String, Integer> executions = new HashMap<>();
  private final Map<Call, Integer> calls = new HashMap<>();
  private final List<Long> insertTimes = new ArrayList<>();
  private final List<Long> getTimes = new ArrayList<>();

  /** Jobs created whose DONE state no client has seen yet: what the client holds in flight. */
  private final Set<String> unobserved = new HashSet<>();

  private int maxUnobserved;
  private boolean forgetFinished;
  private boolean listShowsNothing;
  private final List<Integer> inFlightAtInserts = new ArrayList<>();
  private final Set<String> unreachableLocations = new HashSet<>();

  FakeBigQuery(FakeTime time) {
    this.time = time;
    REGISTRY.put(id, this);
  }

  /** A serialisable factory handing out this instance (for DoFns on the DirectRunner). */
  JobService.Factory factory() {
    String key = id;
    return () -> REGISTRY.get(key);
  }

  void setPlanner(Function<Job, Plan> planner) {
    this.planner = planner;
  }

  synchronized void fail(Call call, Predicate<String> jobIds, int times, int code, String reason) {
    faults.add(new Fault(call, jobIds, times, code, reason, false));
  }

  /** The next {@code times} matching calls fail without an answer (connection reset). */
  synchronized void dropConnection(Call call, Predicate<String> jobIds, int times) {
    faults.add(new Fault(call, jobIds, times, null, null, false));
  }

  /** The next {@code times} matching calls cannot connect (nothing reaches the server). */
  synchronized void refuseConnections(Call call, Predicate<String> jobIds, int times) {
    faults.add(new Fault(call, jobIds, times, null, "refused", false));
  }

  /** The next {@code times} matching inserts create the job, but the answer is lost. */
  synchronized void loseInsertResponses(Predicate<String> jobIds, int times) {
    faults.add(new Fault(Call.INSERT, jobIds, times, null, null, true));
  }

  /** Every matching call fails with this answer while {@code active} holds (an outage). */
  synchronized void failWhile(Call call, BooleanSupplier active, int code, String reason) {
    outages.add(
        new Outage(call, active, () -> new JobServiceException(code, reason, "fake " + reason)));
  }

  /**
   * Forget a job once a client has seen it DONE and keep no call times: for runs of 100,000 jobs
   * whose memory use is measured, where the fake's bookkeeping must not dominate.
   */
  synchronized void forgetFinishedJobs() {
    forgetFinished = true;
  }

  /**
   * jobs.list cannot reach {@code location}, as BigQuery says of a region it could not query: its
   * jobs are missing from every list, and the answer names it in {@code unreachable}.
   */
  synchronized void listCannotReach(String location) {
    unreachableLocations.add(location);
  }

  /** jobs.list answers an empty list, whatever runs (a wrong hint the client must survive). */
  synchronized void listShowsNothing() {
    listShowsNothing = true;
  }

  synchronized void denyJobCreation(String project) {
    deniedProjects.add(project);
  }

  /** Puts a job there as if someone else had started it (e.g. months ago, or by another tool). */
  synchronized void preexisting(String project, String location, String jobId, JobConfiguration c) {
    jobs.put(
        project + ":" + jobId,
        new Stored(project, location, jobId, c, time.nowMillis(), Plan.succeed(1)));
  }

  // ---- JobService ----

  @Override
  public synchronized Job insert(String projectId, Job job) throws IOException {
    String jobId = job.getJobReference().getJobId();
    count(Call.INSERT);
    if (!forgetFinished) {
      insertTimes.add(time.nowMillis());
    }
    Fault fault = takeFault(Call.INSERT, jobId);
    if (fault != null && !fault.loseResponse) {
      throw fault.error(jobId);
    }
    if (deniedProjects.contains(projectId)) {
      throw new JobServiceException(
          403,
          "accessDenied",
          "Access Denied: Project "
              + projectId
              + ": User does not have bigquery.jobs.create permission in project "
              + projectId
              + ".");
    }
    String location =
        job.getJobReference().getLocation() == null ? "US" : job.getJobReference().getLocation();
    Plan plan = planner.apply(job.clone());
    JobConfiguration configuration = job.getConfiguration().clone();
    if (Boolean.TRUE.equals(configuration.getDryRun())) {
      if (plan.invalidAtInsert) {
        throw new JobServiceException(400, "invalidQuery", "Syntax error: fake");
      }
      return new Job()
          .setJobReference(new JobReference().setProjectId(projectId).setLocation(location))
          .setConfiguration(configuration)
          .setStatus(new JobStatus().setState("DONE"))
          .setStatistics(
              new JobStatistics()
                  .setCreationTime(time.nowMillis())
                  .setTotalBytesProcessed(1234L)
                  .setQuery(new JobStatistics2().setTotalBytesProcessed(1234L)));
    }
    String key = projectId + ":" + jobId;
    Stored existing = jobs.get(key);
    if (existing != null) {
      throw new JobServiceException(
          409,
          "duplicate",
          "Already Exists: Job " + projectId + ":" + existing.location + "." + jobId);
    }
    Stored stored = new Stored(projectId, location, jobId, configuration, time.nowMillis(), plan);
    jobs.put(key, stored);
    executions.merge(jobId, 1, Integer::sum);
    unobserved.add(key);
    maxUnobserved = Math.max(maxUnobserved, unobserved.size());
    inFlightAtInserts.add(unobserved.size());
    if (fault != null) {
      throw new IOException("Read timed out (fake: insert applied, answer lost) for " + jobId);
    }
    return view(stored);
  }

  @Override
  public synchronized Job get(String projectId, String jobId, @Nullable String location)
      throws IOException {
    count(Call.GET);
    if (!forgetFinished) {
      getTimes.add(time.nowMillis());
    }
    Fault fault = takeFault(Call.GET, jobId);
    if (fault != null) {
      throw fault.error(jobId);
    }
    Stored stored = find(projectId, jobId, location);
    Job view = view(stored);
    if (forgetFinished && isDone(stored)) {
      jobs.remove(projectId + ":" + jobId);
      executions.remove(jobId);
    }
    return view;
  }

  @Override
  public synchronized JobList listDone(
      String projectId, long minCreationTime, @Nullable String pageToken) throws IOException {
    return list(projectId, minCreationTime, true);
  }

  @Override
  public synchronized JobList listActive(
      String projectId, long minCreationTime, @Nullable String pageToken) throws IOException {
    return list(projectId, minCreationTime, false);
  }

  /** DONE jobs with their full state, or the others with only their state (minimal). */
  private JobList list(String projectId, long minCreationTime, boolean done) throws IOException {
    count(Call.LIST);
    Fault fault = takeFault(Call.LIST, "");
    if (fault != null) {
      throw fault.error("");
    }
    List<JobList.Jobs> page = new ArrayList<>();
    if (!listShowsNothing) {
      for (Stored s : new ArrayList<>(jobs.values())) {
        if (s.project.equals(projectId)
            && s.createdAt >= minCreationTime
            && isDone(s) == done
            && !unreachableLocations.contains(s.location)) {
          Job view = view(s);
          JobList.Jobs entry =
              new JobList.Jobs()
                  .setJobReference(view.getJobReference())
                  .setState(view.getStatus().getState());
          if (done) {
            entry
                .setErrorResult(view.getStatus().getErrorResult())
                .setStatus(view.getStatus())
                .setStatistics(view.getStatistics())
                .setConfiguration(view.getConfiguration());
          }
          page.add(entry);
        }
      }
    }
    JobList list = new JobList().setJobs(page);
    if (!unreachableLocations.isEmpty()) {
      list.setUnreachable(new ArrayList<>(unreachableLocations));
    }
    return list;
  }

  @Override
  public synchronized Job cancel(String projectId, String jobId, @Nullable String location)
      throws IOException {
    count(Call.CANCEL);
    Fault fault = takeFault(Call.CANCEL, jobId);
    if (fault != null) {
      throw fault.error(jobId);
    }
    Stored stored = find(projectId, jobId, location);
    if (stored.cancelAt == null && !isDone(stored)) {
      stored.cancelAt = time.nowMillis();
    }
    return view(stored);
  }

  // ---- what tests assert on ----

  synchronized int executions(String jobId) {
    return executions.getOrDefault(jobId, 0);
  }

  synchronized Map<String, Integer> executions() {
    return new HashMap<>(executions);
  }

  synchronized int calls(Call call) {
    return calls.getOrDefault(call, 0);
  }

  /** Jobs not yet seen DONE right after each accepted insert, in insert order. */
  synchronized List<Integer> inFlightAtInserts() {
    return new ArrayList<>(inFlightAtInserts);
  }

  synchronized int maxJobsInFlight() {
    return maxUnobserved;
  }

  /** The most calls in any window of {@code windowMillis}. */
  synchronized int maxCallsWithin(Call call, long windowMillis) {
    List<Long> times = new ArrayList<>(call == Call.INSERT ? insertTimes : getTimes);
    times.sort(Long::compare);
    int best = 0;
    int start = 0;
    for (int end = 0; end < times.size(); end++) {
      while (times.get(end) - times.get(start) >= windowMillis) {
        start++;
      }
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  // ---- internals ----

  private void count(Call call) {
    calls.merge(call, 1, Integer::sum);
  }

  private @Nullable Fault takeFault(Call call, String jobId) throws IOException {
    for (Outage outage : outages) {
      if (outage.call == call && outage.active.getAsBoolean()) {
        throw outage.error.get();
      }
    }
    for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
      Fault f = it.next();
      if (f.call == call && f.jobIds.test(jobId)) {
        if (--f.remaining <= 0) {
          it.remove();
        }
        return f;
      }
    }
    return null;
  }

  private Stored find(String projectId, String jobId, @Nullable String location)
      throws JobServiceException {
    Stored stored = jobs.get(projectId + ":" + jobId);
    boolean locationOk =
        stored != null
            && (location == null
                ? stored.location.equals("US") || stored.location.equals("EU")
                : stored.location.equalsIgnoreCase(location));
    if (!locationOk) {
      throw new JobServiceException(
          404,
          "notFound",
          "Not found: Job " + projectId + ":" + (location == null ? "US" : location) + "." + jobId);
    }
    return stored;
  }

  private long doneAt(Stored s) {
    long finish = s.createdAt + s.plan.runtimeMillis;
    Long timeout = s.configuration.getJobTimeoutMs();
    if (timeout != null && s.plan.runtimeMillis > timeout && !s.plan.finishesDespiteCancel) {
      finish = s.createdAt + timeout;
    }
    if (s.cancelAt != null && !s.plan.finishesDespiteCancel) {
      finish = Math.min(finish, s.cancelAt + s.plan.cancelDelayMillis);
    }
    return finish;
  }

  private boolean isDone(Stored s) {
    return time.nowMillis() >= doneAt(s);
  }

  private Job view(Stored s) {
    long now = time.nowMillis();
    long doneAt = doneAt(s);
    long startAt = s.createdAt + s.plan.runtimeMillis / 10;
    JobStatus status = new JobStatus();
    JobStatistics statistics = new JobStatistics().setCreationTime(s.createdAt);
    if (now >= doneAt) {
      status.setState("DONE");
      statistics.setStartTime(Math.min(startAt, doneAt)).setEndTime(doneAt);
      long natural = s.createdAt + s.plan.runtimeMillis;
      Long timeout = s.configuration.getJobTimeoutMs();
      if (doneAt < natural) {
        boolean byTimeout =
            timeout != null
                && doneAt == s.createdAt + timeout
                && (s.cancelAt == null || s.cancelAt + s.plan.cancelDelayMillis > doneAt);
        ErrorProto stop =
            byTimeout
                ? new ErrorProto().setReason("timeout").setMessage("Job timed out (jobTimeoutMs)")
                : new ErrorProto()
                    .setReason("stopped")
                    .setMessage("Job execution was cancelled: User requested cancellation");
        status.setErrorResult(stop).setErrors(List.of(stop));
      } else {
        status.setErrorResult(s.plan.errorResult);
        status.setErrors(s.plan.errors.isEmpty() ? null : s.plan.errors);
      }
      unobserved.remove(s.project + ":" + s.jobId);
    } else {
      status.setState(now >= startAt ? "RUNNING" : "PENDING");
      if (now >= startAt) {
        statistics.setStartTime(startAt);
      }
    }
    if (s.configuration.getQuery() != null) {
      statistics.setQuery(new JobStatistics2().setStatementType(s.plan.statementType));
      statistics.setNumChildJobs(s.plan.numChildJobs);
    }
    return new Job()
        .setKind("bigquery#job")
        .setId(s.project + ":" + s.location + "." + s.jobId)
        .setJobReference(
            new JobReference().setProjectId(s.project).setJobId(s.jobId).setLocation(s.location))
        .setConfiguration(s.configuration.clone())
        .setStatus(status)
        .setStatistics(statistics);
  }
}
