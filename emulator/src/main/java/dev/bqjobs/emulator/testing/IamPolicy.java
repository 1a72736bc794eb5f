package dev.bqjobs.emulator.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code --iam} policy file for the local server (format: {@link
 * dev.bqjobs.emulator.iam.AccessPolicy}), built in code so that tests need not spell its JSON:
 *
 * <pre>{@code
 * Path policy =
 *     IamPolicy.create()
 *         .principal("analyst-token", "analyst@example.com")
 *         .grant("roles/bigquery.jobUser", "my-project", "analyst@example.com")
 *         .writeTemporary();
 * }</pre>
 */
public final class IamPolicy {
  private final Map<String, String> principals = new LinkedHashMap<>();
  private final List<JsonObject> bindings = new ArrayList<>();

  private IamPolicy() {}

  public static IamPolicy create() {
    return new IamPolicy();
  }

  /** Requests with {@code Authorization: Bearer token} act as {@code principal}. */
  public IamPolicy principal(String token, String principal) {
    principals.put(token, principal);
    return this;
  }

  /** Grants {@code role} on {@code project} ({@code "*"}: every project) to the members. */
  public IamPolicy grant(String role, String project, String... members) {
    return grantOnDataset(role, project, null, members);
  }

  /** Grants {@code role} on one dataset of {@code project} (null dataset: the whole project). */
  public IamPolicy grantOnDataset(String role, String project, String dataset, String... members) {
    JsonObject binding = new JsonObject();
    binding.addProperty("role", role);
    binding.addProperty("project", project);
    if (dataset != null) {
      binding.addProperty("dataset", dataset);
    }
    JsonArray list = new JsonArray();
    for (String member : members) {
      list.add(member);
    }
    binding.add("members", list);
    bindings.add(binding);
    return this;
  }

  /** The policy as the server reads it. */
  public String toJson() {
    JsonObject policy = new JsonObject();
    JsonObject byToken = new JsonObject();
    principals.forEach(byToken::addProperty);
    policy.add("principals", byToken);
    JsonArray list = new JsonArray();
    bindings.forEach(list::add);
    policy.add("bindings", list);
    return policy.toString();
  }

  /** Writes the policy to {@code file}; returns it. */
  public Path writeTo(Path file) throws IOException {
    Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    return file;
  }

  /**
   * Writes the policy to a new temporary file, deleted when the JVM exits; for a static field of a
   * test class (hence unchecked).
   */
  public Path writeTemporary() {
    try {
      Path file = Files.createTempFile("bqjobs-iam", ".json");
      file.toFile().deleteOnExit();
      return writeTo(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
