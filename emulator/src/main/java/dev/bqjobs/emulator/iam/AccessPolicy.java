package dev.bqjobs.emulator.iam;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may do what, from the {@code --iam FILE}: bearer tokens map to principals, and role bindings
 * grant BigQuery's predefined roles on a project ({@code "*"} for every project) or on one dataset
 * of it. File format (JSON):
 *
 * <pre>{@code
 * {
 *   "principals": {"alice-token": "alice@example.com", "bob-token": "bob@example.com"},
 *   "bindings": [
 *     {"role": "roles/bigquery.jobUser",    "project": "demo", "members": ["alice@example.com"]},
 *     {"role": "roles/bigquery.dataViewer", "project": "demo", "dataset": "sales",
 *      "members": ["alice@example.com"]}
 *   ]
 * }
 * }</pre>
 */
public final class AccessPolicy {
  /** Permissions the local server checks. */
  public static final String JOBS_CREATE = "bigquery.jobs.create";

  public static final String JOBS_LIST_ALL = "bigquery.jobs.listAll";

  /** jobs.list of one's own jobs: in roles/bigquery.user and admin, not in jobUser. */
  public static final String JOBS_LIST = "bigquery.jobs.list";

  public static final String DATASETS_CREATE = "bigquery.datasets.create";
  public static final String DATASETS_GET = "bigquery.datasets.get";
  public static final String DATASETS_DELETE = "bigquery.datasets.delete";
  public static final String TABLES_GET = "bigquery.tables.get";
  public static final String TABLES_GET_DATA = "bigquery.tables.getData";
  public static final String TABLES_CREATE = "bigquery.tables.create";
  public static final String TABLES_UPDATE_DATA = "bigquery.tables.updateData";
  public static final String TABLES_DELETE = "bigquery.tables.delete";

  private static final Set<String> VIEWER = Set.of(DATASETS_GET, TABLES_GET, TABLES_GET_DATA);
  private static final Map<String, Set<String>> ROLES =
      Map.of(
          "roles/bigquery.admin",
          Set.of(
              JOBS_CREATE,
              JOBS_LIST,
              JOBS_LIST_ALL,
              DATASETS_CREATE,
              DATASETS_GET,
              DATASETS_DELETE,
              TABLES_GET,
              TABLES_GET_DATA,
              TABLES_CREATE,
              TABLES_UPDATE_DATA,
              TABLES_DELETE),
          "roles/bigquery.user",
          Set.of(JOBS_CREATE, JOBS_LIST, DATASETS_CREATE, DATASETS_GET, TABLES_GET),
          "roles/bigquery.jobUser",
          Set.of(JOBS_CREATE),
          "roles/bigquery.dataViewer",
          VIEWER,
          "roles/bigquery.dataEditor",
          Set.of(
              DATASETS_GET,
              TABLES_GET,
              TABLES_GET_DATA,
              TABLES_CREATE,
              TABLES_UPDATE_DATA,
              TABLES_DELETE));

  private static final class Binding {
    final Set<String> permissions;
    final String project;
    final String dataset;
    final Set<String> members;

    Binding(Set<String> permissions, String project, String dataset, Set<String> members) {
      this.permissions = permissions;
      this.project = project;
      this.dataset = dataset;
      this.members = members;
    }

    boolean covers(String principal, String p, String d) {
      return members.contains(principal)
          && (project.equals("*") || project.equals(p))
          && (dataset == null || dataset.equals(d));
    }
  }

  private final Map<String, String> principalsByToken;
  private final List<Binding> bindings;

  private AccessPolicy(Map<String, String> principalsByToken, List<Binding> bindings) {
    this.principalsByToken = principalsByToken;
    this.bindings = bindings;
  }

  /**
   * Reads a policy file.
   *
   * @throws IllegalArgumentException naming the file and the bad entry
   */
  public static AccessPolicy read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the IAM file " + file + ": " + e.getMessage());
    }
    try {
      return parse(JsonParser.parseString(text));
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(
          "the IAM file " + file + " is not valid: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the IAM file " + file + " is not valid: " + e.getMessage());
    }
  }

  static AccessPolicy parse(JsonElement root) {
    JsonObject o = root.getAsJsonObject();
    Map<String, String> principals = new LinkedHashMap<>();
    JsonObject p = o.has("principals") ? o.getAsJsonObject("principals") : new JsonObject();
    for (Map.Entry<String, JsonElement> e : p.entrySet()) {
      principals.put(e.getKey(), e.getValue().getAsString());
    }
    List<Binding> bindings = new ArrayList<>();
    JsonArray list = o.has("bindings") ? o.getAsJsonArray("bindings") : new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      JsonObject b = list.get(i).getAsJsonObject();
      String role = b.has("role") ? b.get("role").getAsString() : null;
      Set<String> permissions = role == null ? null : ROLES.get(role);
      if (permissions == null) {
        throw new IllegalArgumentException(
            "binding "
                + i
                + " has unknown role \""
                + role
                + "\"; use one of "
                + new java.util.TreeSet<>(ROLES.keySet()));
      }
      if (!b.has("project")) {
        throw new IllegalArgumentException(
            "binding " + i + " has no \"project\" (use \"*\" for all)");
      }
      Set<String> members = new java.util.HashSet<>();
      if (b.has("members")) {
        for (JsonElement m : b.getAsJsonArray("members")) {
          members.add(m.getAsString());
        }
      }
      bindings.add(
          new Binding(
              permissions,
              b.get("project").getAsString(),
              b.has("dataset") ? b.get("dataset").getAsString() : null,
              members));
    }
    return new AccessPolicy(principals, bindings);
  }

  /** The principal a bearer token stands for, or null for an unknown token. */
  public String principalOf(String token) {
    return principalsByToken.get(token);
  }

  /** Whether {@code principal} holds {@code permission} on the project (project-level grants). */
  public boolean allowsOnProject(String principal, String permission, String project) {
    for (Binding b : bindings) {
      if (b.dataset == null
          && b.permissions.contains(permission)
          && b.covers(principal, project, null)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code principal} holds {@code permission} on a dataset (project or dataset grants).
   */
  public boolean allowsOnDataset(
      String principal, String permission, String project, String dataset) {
    for (Binding b : bindings) {
      if (b.permissions.contains(permission) && b.covers(principal, project, dataset)) {
        return true;
      }
    }
    return false;
  }
}
