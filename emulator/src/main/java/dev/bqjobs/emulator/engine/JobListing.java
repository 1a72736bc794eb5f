package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobList;
import com.google.api.services.bigquery.model.JobReference;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.wire.PageTokens;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/**
 * jobs.list as BigQuery answers it: newest first, {@code stateFilter}, {@code
 * minCreationTime}/{@code maxCreationTime}, pages by an opaque token, only the caller's jobs unless
 * all users' are asked for, and {@code projection=minimal} with {@code state} and {@code
 * errorResult} but no {@code status} or configuration.
 *
 * <p>Indexed, so a call costs about its page, not the project's history: every job by insert
 * sequence, and apart the jobs not yet DONE (a poller's {@code stateFilter=pending,running} walks
 * only those). Nothing is sorted or copied whole per call.
 */
final class JobListing {
  private static final int DEFAULT_PAGE = 1000;

  /** Inserts racing each other may take creation times slightly out of sequence order. */
  private static final long CLOCK_TOLERANCE_MILLIS = 1_000;

  private final Map<String, NavigableMap<Long, JobRecord>> all = new ConcurrentHashMap<>();
  private final Map<String, NavigableMap<Long, JobRecord>> notDone = new ConcurrentHashMap<>();

  /** A job was stored (inserted or recovered); call after its state is set. */
  void added(JobRecord record) {
    byProject(all, record.project).put(record.sequence, record);
    synchronized (record) {
      if (record.state != JobRecord.State.DONE) {
        byProject(notDone, record.project).put(record.sequence, record);
      }
    }
  }

  /** The job reached DONE. */
  void done(JobRecord record) {
    byProject(notDone, record.project).remove(record.sequence, record);
  }

  /** The job was deleted. */
  void removed(JobRecord record) {
    byProject(all, record.project).remove(record.sequence, record);
    byProject(notDone, record.project).remove(record.sequence, record);
  }

  private static NavigableMap<Long, JobRecord> byProject(
      Map<String, NavigableMap<Long, JobRecord>> index, String project) {
    return index.computeIfAbsent(project, p -> new ConcurrentSkipListMap<>());
  }

  /**
   * One page. {@code onlyUser} (or null for all users) filters by the inserting principal; {@code
   * full} makes each job's complete resource (with status and configuration) from {@code snapshot}.
   */
  JobList list(
      String project,
      String onlyUser,
      List<String> stateFilter,
      long maxResults,
      String pageToken,
      boolean minimal,
      Long minCreationTime,
      Long maxCreationTime,
      Function<JobRecord, Job> snapshot) {
    Catalog.validateProjectId(project);
    Set<JobRecord.State> states = states(stateFilter);
    boolean activeOnly = !states.isEmpty() && !states.contains(JobRecord.State.DONE);
    NavigableMap<Long, JobRecord> index = byProject(activeOnly ? notDone : all, project);
    long after = afterSequence(pageToken);
    int pageSize = (int) Math.min(maxResults <= 0 ? DEFAULT_PAGE : maxResults, 100_000);
    List<JobList.Jobs> page = new ArrayList<>();
    long lastSent = -1;
    boolean more = false;
    for (JobRecord record : index.headMap(after, false).descendingMap().values()) {
      JobList.Jobs item;
      synchronized (record) {
        if (!states.isEmpty() && !states.contains(record.state)) {
          if (activeOnly && record.state == JobRecord.State.DONE) {
            index.remove(record.sequence, record); // done since: the index learns it here
          }
          continue;
        }
        if (onlyUser != null && !onlyUser.equals(record.job.getUserEmail())) {
          continue;
        }
        Long created = record.job.getStatistics().getCreationTime();
        if (created != null
            && ((minCreationTime != null && created < minCreationTime)
                || (maxCreationTime != null && created > maxCreationTime))) {
          if (minCreationTime != null && created < minCreationTime - CLOCK_TOLERANCE_MILLIS) {
            break; // newest first: later jobs were created earlier still (inserts race a little)
          }
          continue;
        }
        if (page.size() == pageSize) {
          more = true;
          break;
        }
        item = minimal ? minimalItem(record) : null;
      }
      if (item == null) {
        Job job = snapshot.apply(record);
        item =
            new JobList.Jobs()
                .setId(job.getId())
                .setKind("bigquery#job")
                .setJobReference(job.getJobReference())
                .setState(job.getStatus().getState())
                .setErrorResult(job.getStatus().getErrorResult())
                .setStatistics(job.getStatistics())
                .setStatus(job.getStatus())
                .setUserEmail(job.getUserEmail())
                .setConfiguration(job.getConfiguration());
      }
      lastSent = record.sequence;
      page.add(item);
    }
    JobList list = new JobList().setKind("bigquery#jobList").setJobs(page);
    if (more) {
      list.setNextPageToken(PageTokens.after(Long.toString(lastSent)));
    }
    list.setEtag(Integer.toHexString(page.hashCode()));
    return list;
  }

  /** Must hold the record's monitor: the fields minimal carries, copied where they may change. */
  private static JobList.Jobs minimalItem(JobRecord record) {
    Job job = record.job;
    JobReference ref = job.getJobReference();
    return new JobList.Jobs()
        .setId(job.getId())
        .setKind("bigquery#job")
        .setJobReference(
            new JobReference()
                .setProjectId(ref.getProjectId())
                .setJobId(ref.getJobId())
                .setLocation(ref.getLocation()))
        .setState(record.state.name())
        .setErrorResult(
            job.getStatus().getErrorResult() == null
                ? null
                : job.getStatus().getErrorResult().clone())
        .setStatistics(job.getStatistics() == null ? null : job.getStatistics().clone())
        .setUserEmail(job.getUserEmail());
  }

  private static Set<JobRecord.State> states(List<String> stateFilter) {
    Set<JobRecord.State> states = EnumSet.noneOf(JobRecord.State.class);
    for (String s : stateFilter) {
      for (String part : s.split(",")) {
        String st = part.trim().toUpperCase(Locale.ROOT);
        if (st.isEmpty()) {
          continue;
        }
        try {
          states.add(JobRecord.State.valueOf(st));
        } catch (IllegalArgumentException e) {
          throw BigQueryError.invalid("Invalid value for stateFilter: \"" + part + "\"");
        }
      }
    }
    return states;
  }

  /** The sequence number a jobs.list token holds (the last job sent); MAX_VALUE for none. */
  private static long afterSequence(String pageToken) {
    String key = PageTokens.lastKey(pageToken);
    if (key == null) {
      return Long.MAX_VALUE;
    }
    try {
      return Long.parseLong(key);
    } catch (NumberFormatException e) {
      throw PageTokens.invalid(pageToken);
    }
  }
}
