package dev.bqjobs.emulator.api;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.GetQueryResultsResponse;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import dev.bqjobs.emulator.engine.JobManager;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.http.HttpCall;
import dev.bqjobs.emulator.http.Reply;
import dev.bqjobs.emulator.http.Router;
import dev.bqjobs.emulator.iam.AccessControl;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.TableReader;
import java.util.List;

/**
 * jobs.query and jobs.getQueryResults. Both wait for the job up to {@code timeoutMs} (default 10 s,
 * capped below the Java client's 20 s read timeout) and report {@code jobComplete}; a failed job is
 * answered with its errorResult as an HTTP error, as BigQuery does.
 */
public final class QueriesApi {
  /** BigQuery's default wait. */
  static final long DEFAULT_TIMEOUT_MS = 10_000;

  /** Stay under google-http-client's 20 s read timeout. */
  static final long MAX_TIMEOUT_MS = 15_000;

  private final JobManager jobs;
  private final Catalog catalog;
  private final TableReader reader;

  private final AccessControl access;

  public QueriesApi(JobManager jobs, Catalog catalog, AccessControl access) {
    this.access = access;
    this.jobs = jobs;
    this.catalog = catalog;
    this.reader = new TableReader(catalog);
  }

  public void register(Router router) {
    router
        .add("POST", "/projects/{projectId}/queries", "jobs.query", this::query)
        .add("GET", "/projects/{projectId}/queries/{jobId}", "jobs.getQueryResults", this::results);
  }

  private Reply query(HttpCall call) {
    String project = call.param("projectId");
    QueryRequest request = call.json(QueryRequest.class, "queryRequest");
    if (request.getQuery() == null || request.getQuery().isBlank()) {
      throw BigQueryError.required("Required parameter is missing: query");
    }
    JobConfigurationQuery query =
        new JobConfigurationQuery()
            .setQuery(request.getQuery())
            .setUseLegacySql(request.getUseLegacySql())
            .setDefaultDataset(request.getDefaultDataset())
            .setQueryParameters(request.getQueryParameters())
            .setParameterMode(request.getParameterMode());
    if (request.getUseLegacySql() == null || request.getUseLegacySql()) {
      throw BigQueryError.invalidQuery(
          "The local BigQuery server runs GoogleSQL (standard SQL) only. BigQuery treats a query"
              + " without useLegacySql as legacy SQL: set \"useLegacySql\": false in the request.");
    }
    JobConfiguration config =
        new JobConfiguration()
            .setQuery(query)
            .setDryRun(request.getDryRun())
            .setLabels(request.getLabels())
            .setJobTimeoutMs(request.getJobTimeoutMs());
    Job inserted =
        jobs.insert(
            project,
            new Job()
                .setConfiguration(config)
                .setJobReference(new JobReference().setLocation(request.getLocation())),
            call.principal());
    long timeout = timeout(request.getTimeoutMs());
    if (Boolean.TRUE.equals(request.getDryRun())) {
      JobStatistics2 stats = inserted.getStatistics().getQuery();
      return Reply.ok(
          new QueryResponse()
              .setKind("bigquery#queryResponse")
              .setJobReference(inserted.getJobReference())
              .setSchema(stats.getSchema())
              .setTotalBytesProcessed(stats.getTotalBytesProcessed())
              .setJobComplete(true)
              .setCacheHit(false));
    }
    JobReference ref = inserted.getJobReference();
    Job job = jobs.await(project, ref.getJobId(), ref.getLocation(), timeout);
    GetQueryResultsResponse page =
        page(job, 0, request.getMaxResults() == null ? 0 : request.getMaxResults());
    return Reply.ok(
        new QueryResponse()
            .setKind("bigquery#queryResponse")
            .setJobReference(job.getJobReference())
            .setJobComplete(page.getJobComplete())
            .setSchema(page.getSchema())
            .setRows(page.getRows())
            .setTotalRows(page.getTotalRows())
            .setPageToken(page.getPageToken())
            .setTotalBytesProcessed(page.getTotalBytesProcessed())
            .setNumDmlAffectedRows(page.getNumDmlAffectedRows())
            .setCacheHit(false));
  }

  private Reply results(HttpCall call) {
    String project = call.param("projectId");
    long timeout = timeout(call.query("timeoutMs") == null ? null : call.queryLong("timeoutMs", 0));
    access.requireJobVisible(
        call.principal(), jobs.get(project, call.param("jobId"), call.query("location")));
    Job job = jobs.await(project, call.param("jobId"), call.query("location"), timeout);
    if (job.getConfiguration().getQuery() == null) {
      throw BigQueryError.invalid(
          "Job " + job.getId() + " is not a query job; getQueryResults applies to queries only.");
    }
    return Reply.ok(page(job, Paging.startIndex(call), call.queryLong("maxResults", 0)));
  }

  private static long timeout(Long requested) {
    if (requested == null) {
      return DEFAULT_TIMEOUT_MS;
    }
    return Math.max(0, Math.min(requested, MAX_TIMEOUT_MS));
  }

  /** One page of a finished query's results, or jobComplete=false; a failed job is an error. */
  private GetQueryResultsResponse page(Job job, long start, long maxResults) {
    GetQueryResultsResponse response =
        new GetQueryResultsResponse()
            .setKind("bigquery#getQueryResultsResponse")
            .setJobReference(job.getJobReference())
            .setEtag(job.getEtag())
            .setCacheHit(false);
    if (!"DONE".equals(job.getStatus().getState())) {
      return response.setJobComplete(false);
    }
    ErrorProto error = job.getStatus().getErrorResult();
    if (error != null) {
      throw BigQueryError.ofReason(error.getReason(), error.getMessage());
    }
    response.setJobComplete(true);
    JobStatistics2 stats = job.getStatistics().getQuery();
    if (stats != null) {
      response.setTotalBytesProcessed(stats.getTotalBytesProcessed());
      response.setNumDmlAffectedRows(stats.getNumDmlAffectedRows());
    }
    TableReference table = job.getConfiguration().getQuery().getDestinationTable();
    // A script's rows are its last statement's, when that was a query.
    boolean hasRows =
        stats != null
            && ("SELECT".equals(stats.getStatementType())
                || ("SCRIPT".equals(stats.getStatementType()) && stats.getSchema() != null));
    if (table == null || !hasRows) {
      return response.setTotalRows(java.math.BigInteger.ZERO).setRows(List.of());
    }
    if (!catalog.tableExists(table.getProjectId(), table.getDatasetId(), table.getTableId())) {
      throw BigQueryError.notFound(
          "Not found: Table "
              + table.getProjectId()
              + ":"
              + table.getDatasetId()
              + "."
              + table.getTableId()
              + " (the query's results are gone)");
    }
    TableSchema schema =
        catalog.schemaOf(table.getProjectId(), table.getDatasetId(), table.getTableId());
    TableReader.Page page =
        reader.read(
            table.getProjectId(),
            table.getDatasetId(),
            table.getTableId(),
            schema,
            start,
            maxResults,
            null);
    response
        .setSchema(schema)
        .setRows(page.rows)
        .setTotalRows(java.math.BigInteger.valueOf(page.totalRows));
    if (page.nextIndex >= 0) {
      response.setPageToken(Paging.token(page.nextIndex));
    }
    return response;
  }
}
