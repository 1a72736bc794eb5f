package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobList;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.wire.PageTokens;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** jobs.list: a project's jobs newest first, filtered, and paged stably while jobs are inserted. */
final class JobListing {
  private static final int DEFAULT_PAGE = 1000;

  private final JobRepository repository;

  JobListing(JobRepository repository) {
    this.repository = repository;
  }

  /** jobs.list, newest first, paged by an opaque token; {@code onlyUser} (or null) filters. */
  JobList list(
      String project,
      String onlyUser,
      List<String> stateFilter,
      long maxResults,
      String pageToken,
      boolean minimal,
      Long minCreationTime,
      Long maxCreationTime) {
    Catalog.validateProjectId(project);
    List<JobRecord> all = repository.inProject(project);
    all.sort(Comparator.comparingLong((JobRecord r) -> r.sequence).reversed());
    List<String> states = new ArrayList<>();
    for (String s : stateFilter) {
      for (String part : s.split(",")) {
        String st = part.trim().toUpperCase(Locale.ROOT);
        if (!st.isEmpty()) {
          if (!st.equals("DONE") && !st.equals("PENDING") && !st.equals("RUNNING")) {
            throw BigQueryError.invalid("Invalid value for stateFilter: \"" + part + "\"");
          }
          states.add(st);
        }
      }
    }
    // The token holds the sequence number of the last job sent: jobs inserted while a client
    // pages (newest first) go before its position and never shift the later pages.
    long after = afterSequence(pageToken);
    int pageSize = (int) Math.min(maxResults <= 0 ? DEFAULT_PAGE : maxResults, 100_000);
    List<JobList.Jobs> page = new ArrayList<>();
    long lastSent = -1;
    boolean more = false;
    for (JobRecord record : all) {
      if (record.sequence >= after) {
        continue;
      }
      Job job = repository.snapshot(record);
      if (!states.isEmpty() && !states.contains(job.getStatus().getState())) {
        continue;
      }
      if (onlyUser != null && !onlyUser.equals(job.getUserEmail())) {
        continue;
      }
      long created = job.getStatistics().getCreationTime();
      if ((minCreationTime != null && created < minCreationTime)
          || (maxCreationTime != null && created > maxCreationTime)) {
        continue;
      }
      if (page.size() == pageSize) {
        more = true;
        break;
      }
      lastSent = record.sequence;
      JobList.Jobs item =
          new JobList.Jobs()
              .setId(job.getId())
              .setKind("bigquery#job")
              .setJobReference(job.getJobReference())
              .setState(job.getStatus().getState())
              .setErrorResult(job.getStatus().getErrorResult())
              .setStatistics(job.getStatistics())
              .setStatus(job.getStatus())
              .setUserEmail(job.getUserEmail());
      if (!minimal) {
        item.setConfiguration(job.getConfiguration());
      }
      page.add(item);
    }
    JobList list = new JobList().setKind("bigquery#jobList").setJobs(page);
    if (more) {
      list.setNextPageToken(PageTokens.after(Long.toString(lastSent)));
    }
    list.setEtag(Integer.toHexString(page.hashCode()));
    return list;
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
