package dev.bqjobs.emulator.iam;

import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.errors.ErrorKind;
import java.util.Map;

/**
 * Authenticates calls by bearer token and checks the permission each API method needs, answering as
 * BigQuery does: 401 without valid credentials, 403 {@code accessDenied} naming the missing
 * permission. Jobs carry their principal so that the tables a job reads and writes are checked when
 * it runs ({@link #checkRead}, {@link #checkWrite}). With no policy everything is allowed.
 */
public final class AccessControl {
  /** Permission each API method needs, checked at project or dataset level. */
  private static final Map<String, String> METHOD_PERMISSIONS =
      Map.ofEntries(
          Map.entry("jobs.insert", AccessPolicy.JOBS_CREATE),
          Map.entry("jobs.query", AccessPolicy.JOBS_CREATE),
          Map.entry("jobs.list", AccessPolicy.JOBS_LIST),
          Map.entry("datasets.insert", AccessPolicy.DATASETS_CREATE),
          Map.entry("datasets.get", AccessPolicy.DATASETS_GET),
          Map.entry("datasets.delete", AccessPolicy.DATASETS_DELETE),
          Map.entry("tables.get", AccessPolicy.TABLES_GET),
          Map.entry("tables.list", AccessPolicy.TABLES_GET),
          Map.entry("tables.insert", AccessPolicy.TABLES_CREATE),
          Map.entry("tables.delete", AccessPolicy.TABLES_DELETE),
          Map.entry("tabledata.list", AccessPolicy.TABLES_GET_DATA),
          Map.entry("tabledata.insertAll", AccessPolicy.TABLES_UPDATE_DATA));

  private final AccessPolicy policy;

  /**
   * @param policy the policy, or null to allow everything
   */
  public AccessControl(AccessPolicy policy) {
    this.policy = policy;
  }

  public boolean enabled() {
    return policy != null;
  }

  /**
   * Resolves the caller from its {@code Authorization} header and checks the permission the API
   * method needs on the project (or the dataset, when the call names one).
   *
   * @return the caller's principal, or null when nothing was checked (no policy, or a method of the
   *     emulator itself)
   */
  public String authorize(String apiMethod, String authorization, String project, String dataset) {
    if (policy == null || apiMethod == null || apiMethod.startsWith("emulator.")) {
      return null;
    }
    String auth = authorization;
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new BigQueryError(
          ErrorKind.UNAUTHENTICATED,
          "required",
          "Request is missing required authentication credential. Expected OAuth 2 access token.");
    }
    String principal = policy.principalOf(auth.substring(7).trim());
    if (principal == null) {
      throw new BigQueryError(ErrorKind.UNAUTHENTICATED, "authError", "Invalid Credentials");
    }
    String permission = METHOD_PERMISSIONS.get(apiMethod);
    if (permission == null) {
      return principal; // jobs.get/cancel/getQueryResults: checked against the job's owner
    }
    boolean allowed =
        dataset == null
            ? policy.allowsOnProject(principal, permission, project)
            : policy.allowsOnDataset(principal, permission, project, dataset);
    if (!allowed) {
      throw BigQueryError.accessDenied(denial(permission, project, dataset, principal));
    }
    return principal;
  }

  static String denial(String permission, String project, String dataset, String principal) {
    if (permission.equals(AccessPolicy.JOBS_CREATE)) {
      return "Access Denied: Project "
          + project
          + ": User does not have "
          + permission
          + " permission in project "
          + project
          + ".";
    }
    String what = dataset == null ? "Project " + project : "Dataset " + project + ":" + dataset;
    return "Access Denied: "
        + what
        + ": Permission "
        + permission
        + " denied (or it may not exist) for "
        + principal
        + ".";
  }

  /** Whether the principal may read the table's data (null principal: access control is off). */
  public boolean mayRead(String principal, String project, String dataset) {
    return policy == null
        || principal == null
        || policy.allowsOnDataset(principal, AccessPolicy.TABLES_GET_DATA, project, dataset);
  }

  /** Whether the principal may create or change tables in the dataset. */
  public boolean mayWrite(String principal, String project, String dataset) {
    return policy == null
        || principal == null
        || policy.allowsOnDataset(principal, AccessPolicy.TABLES_UPDATE_DATA, project, dataset);
  }

  /** Whether the principal may see other users' jobs in the project. */
  public boolean maySeeAllJobs(String principal, String project) {
    return policy == null
        || principal == null
        || policy.allowsOnProject(principal, AccessPolicy.JOBS_LIST_ALL, project);
  }

  /**
   * jobs.get, cancel and getQueryResults: a principal sees its own jobs; others' only with {@code
   * bigquery.jobs.listAll} (roles/bigquery.admin).
   */
  public void requireJobVisible(String principal, com.google.api.services.bigquery.model.Job job) {
    if (policy == null || principal == null || principal.equals(job.getUserEmail())) {
      return;
    }
    String project = job.getJobReference().getProjectId();
    if (!maySeeAllJobs(principal, project)) {
      throw BigQueryError.accessDenied(
          "Access Denied: Job "
              + job.getId()
              + ": User does not have bigquery.jobs.get permission for job "
              + job.getId()
              + ".");
    }
  }

  /** The message of a job that reads a table the principal may not read. */
  public static String readDenied(String project, String dataset, String table) {
    String name = project + ":" + dataset + "." + table;
    return "Access Denied: Table "
        + name
        + ": User does not have permission to query table "
        + name
        + ", or perhaps it does not exist.";
  }

  /** The message of a job that writes a table the principal may not change. */
  public static String writeDenied(String project, String dataset, String table) {
    return "Access Denied: Table "
        + project
        + ":"
        + dataset
        + "."
        + table
        + ": Permission bigquery.tables.updateData denied on table "
        + project
        + ":"
        + dataset
        + "."
        + table
        + " (or it may not exist).";
  }
}
