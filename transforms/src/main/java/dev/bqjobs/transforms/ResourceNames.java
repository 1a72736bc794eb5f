package dev.bqjobs.transforms;

import java.util.Locale;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * BigQuery's rules for project IDs and locations, checked before any call: a malformed project made
 * the client library throw out of the DoFn (its path pattern refuses {@code /}), failing every
 * other request's result with it.
 */
final class ResourceNames {
  /**
   * A project ID: lowercase letters, digits and hyphens, starting with a letter, not ending with a
   * hyphen, at most 30 characters; optionally behind a domain ({@code example.com:my-project}).
   * Google Cloud requires at least 6 characters for new projects; shorter IDs are accepted, as
   * local servers and older projects use them.
   */
  private static final Pattern PROJECT =
      Pattern.compile("(?:[a-z0-9][a-z0-9.-]{0,62}[a-z0-9]:)?[a-z](?:[a-z0-9-]{0,28}[a-z0-9])?");

  /** A location: a multi-region ({@code US}, {@code EU}) or a region ({@code europe-west1}). */
  private static final Pattern LOCATION = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,62}");

  private ResourceNames() {}

  /** Why {@code project} is not a BigQuery project ID, or null if it is one. */
  static @Nullable String problemWithProject(String project) {
    if (PROJECT.matcher(project).matches()) {
      return null;
    }
    String problem =
        "invalid project ID '"
            + project
            + "': project IDs have lowercase letters, digits and hyphens, start with a letter,"
            + " do not end with a hyphen and have at most 30 characters (optionally behind a"
            + " domain, as in example.com:my-project)";
    String suggestion = suggestion(project);
    return suggestion == null ? problem : problem + "; did you mean '" + suggestion + "'?";
  }

  /** Why {@code location} is not a BigQuery location, or null if it is one. */
  static @Nullable String problemWithLocation(String location) {
    if (LOCATION.matcher(location).matches()) {
      return null;
    }
    return "invalid location '"
        + location
        + "': a location is a multi-region such as US or EU, or a region such as europe-west1";
  }

  /** The likely intended ID for common slips: a resource name, stray spaces, capitals. */
  private static @Nullable String suggestion(String project) {
    String candidate = project.trim();
    if (candidate.startsWith("projects/")) {
      candidate = candidate.substring("projects/".length());
      int slash = candidate.indexOf('/');
      if (slash >= 0) {
        candidate = candidate.substring(0, slash); // projects/x/datasets/y
      }
    }
    candidate = candidate.toLowerCase(Locale.ROOT);
    return !candidate.equals(project) && PROJECT.matcher(candidate).matches() ? candidate : null;
  }
}
