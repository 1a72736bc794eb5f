package dev.bqjobs.emulator.faults;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Injected faults, parsed from the {@code --faults} SPEC and decided reproducibly: the n-th call of
 * a method draws the same number for the same seed, and a job's outcome fault depends only on the
 * seed and its job ID, whatever the order of requests.
 *
 * <p>Grammar ({@link #GRAMMAR}): rules separated by {@code ;}, each {@code
 * TARGET:FAULT=P[,FAULT=P]} where TARGET is an API method ({@code jobs.insert}, {@code jobs.get},
 * {@code jobs.cancel}, {@code jobs.getQueryResults}, {@code jobs.query}, {@code jobs.list}, {@code
 * tabledata.list}, ...), {@code *} for every API method, or {@code job} for how jobs end; P is a
 * probability in [0, 1].
 */
public final class FaultPlan {
  public static final String GRAMMAR =
      String.join(
          "\n",
          "SPEC     := RULE (';' RULE)*",
          "RULE     := TARGET ':' FAULT '=' P (',' FAULT '=' P)*",
          "TARGET   := an API method (jobs.insert, jobs.get, jobs.cancel, jobs.getQueryResults,",
          "            jobs.query, jobs.list, tabledata.list, ...) | '*' (every API method) | 'job'",
          "FAULT    := for a method: 500 | 503 | 429 | 403   refused, the request has no effect",
          "                        | lost     takes effect, then the connection drops unanswered",
          "                        | lost503  takes effect, then the client gets 503 backendError",
          "            for 'job':  backendError | internalError | jobInternalError |",
          "                        jobBackendError | jobRateLimitExceeded   the job ends DONE with",
          "                        that retryable errorResult and no effects",
          "P        := probability in [0, 1], e.g. 0.1",
          "example:  jobs.insert:503=0.1,lost=0.05;jobs.get:429=0.1;job:backendError=0.05");

  /** What happens to one API call. */
  public enum CallFault {
    NONE,
    HTTP_500,
    HTTP_503,
    HTTP_429,
    HTTP_403,
    LOST,
    LOST_503
  }

  private static final Map<String, CallFault> CALL_FAULTS =
      Map.of(
          "500", CallFault.HTTP_500,
          "503", CallFault.HTTP_503,
          "429", CallFault.HTTP_429,
          "403", CallFault.HTTP_403,
          "lost", CallFault.LOST,
          "lost503", CallFault.LOST_503);
  private static final Set<String> JOB_FAULTS =
      Set.of(
          "backendError",
          "internalError",
          "jobInternalError",
          "jobBackendError",
          "jobRateLimitExceeded");

  private final long seed;
  private final String spec;
  private final Map<String, Map<CallFault, Double>> callRules;
  private final Map<String, Double> jobRules;
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

  private FaultPlan(
      long seed,
      String spec,
      Map<String, Map<CallFault, Double>> callRules,
      Map<String, Double> jobRules) {
    this.seed = seed;
    this.spec = spec;
    this.callRules = callRules;
    this.jobRules = jobRules;
  }

  /** No faults. */
  public static FaultPlan none() {
    return new FaultPlan(0, "", Map.of(), Map.of());
  }

  /**
   * Parses a SPEC.
   *
   * @throws IllegalArgumentException naming the bad part
   */
  public static FaultPlan parse(String spec, long seed) {
    Map<String, Map<CallFault, Double>> callRules = new LinkedHashMap<>();
    Map<String, Double> jobRules = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return none();
    }
    for (String rule : spec.split(";")) {
      String r = rule.trim();
      if (r.isEmpty()) {
        continue;
      }
      int colon = r.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            "fault rule \"" + r + "\" needs TARGET:FAULT=P (e.g. jobs.get:503=0.1)");
      }
      String target = canonicalTarget(r.substring(0, colon).trim());
      for (String part : r.substring(colon + 1).split(",")) {
        String p = part.trim();
        int eq = p.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "fault \"" + p + "\" in rule \"" + r + "\" needs FAULT=P (e.g. 503=0.1)");
        }
        String fault = p.substring(0, eq).trim();
        double probability = probability(p.substring(eq + 1).trim(), r);
        if (target.equals("job")) {
          if (!JOB_FAULTS.contains(fault)) {
            throw new IllegalArgumentException(
                "unknown job fault \""
                    + fault
                    + "\"; use one of "
                    + new java.util.TreeSet<>(JOB_FAULTS));
          }
          jobRules.merge(fault, probability, Double::sum);
        } else {
          CallFault f = CALL_FAULTS.get(fault.toLowerCase(Locale.ROOT));
          if (f == null) {
            throw new IllegalArgumentException(
                "unknown fault \""
                    + fault
                    + "\" for "
                    + target
                    + "; use 500, 503, 429, 403, lost or lost503");
          }
          callRules
              .computeIfAbsent(target, t -> new LinkedHashMap<>())
              .merge(f, probability, Double::sum);
        }
      }
    }
    check(callRules.values(), spec);
    if (jobRules.values().stream().mapToDouble(Double::doubleValue).sum() > 1.0 + 1e-9) {
      throw new IllegalArgumentException(
          "job fault probabilities add up to more than 1 in \"" + spec + "\"");
    }
    return new FaultPlan(seed, spec, callRules, jobRules);
  }

  /**
   * Accepts a method without its resource, e.g. {@code getQueryResults} for jobs.getQueryResults.
   */
  private static String canonicalTarget(String target) {
    if (target.equals("*") || target.equals("job") || target.contains(".")) {
      return target;
    }
    return "jobs." + target;
  }

  private static void check(java.util.Collection<Map<CallFault, Double>> rules, String spec) {
    for (Map<CallFault, Double> rule : rules) {
      if (rule.values().stream().mapToDouble(Double::doubleValue).sum() > 1.0 + 1e-9) {
        throw new IllegalArgumentException(
            "fault probabilities of one method add up to more than 1 in \"" + spec + "\"");
      }
    }
  }

  private static double probability(String text, String rule) {
    try {
      double p = Double.parseDouble(text);
      if (p >= 0 && p <= 1) {
        return p;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException(
        "probability \"" + text + "\" in rule \"" + rule + "\" must be a number in [0, 1]");
  }

  public boolean isEmpty() {
    return callRules.isEmpty() && jobRules.isEmpty();
  }

  public String spec() {
    return spec;
  }

  /** Decides the fault of the next call of {@code apiMethod} (null for unrouted requests). */
  public CallFault nextCall(String apiMethod) {
    if (apiMethod == null || callRules.isEmpty() || apiMethod.startsWith("emulator.")) {
      return CallFault.NONE;
    }
    Map<CallFault, Double> rule = callRules.get(apiMethod);
    if (rule == null) {
      rule = callRules.get("*");
    }
    if (rule == null) {
      return CallFault.NONE;
    }
    long n = calls.computeIfAbsent(apiMethod, m -> new AtomicLong()).getAndIncrement();
    double draw = uniform(apiMethod + "#" + n);
    double acc = 0;
    for (Map.Entry<CallFault, Double> e : rule.entrySet()) {
      acc += e.getValue();
      if (draw < acc) {
        return e.getKey();
      }
    }
    return CallFault.NONE;
  }

  /** The retryable errorResult reason a job ends with, or null; a pure function of the job ID. */
  public String jobFault(String project, String jobId) {
    if (jobRules.isEmpty()) {
      return null;
    }
    double draw = uniform("job#" + project + ":" + jobId);
    double acc = 0;
    for (Map.Entry<String, Double> e : jobRules.entrySet()) {
      acc += e.getValue();
      if (draw < acc) {
        return e.getKey();
      }
    }
    return null;
  }

  /** A uniform number in [0, 1) from the seed and a key (64 bits of SHA-256). */
  private double uniform(String key) {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      byte[] d = md.digest((seed + "|" + key).getBytes(StandardCharsets.UTF_8));
      long bits = 0;
      for (int i = 0; i < 8; i++) {
        bits = (bits << 8) | (d[i] & 0xff);
      }
      return (bits >>> 11) * 0x1.0p-53;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The rules as parsed, for the stats endpoint. */
  public Map<String, Object> describe() {
    Map<String, Object> out = new LinkedHashMap<>();
    callRules.forEach(
        (m, r) -> {
          List<String> parts = new ArrayList<>();
          r.forEach((f, p) -> parts.add(f + "=" + p));
          out.put(m, parts);
        });
    if (!jobRules.isEmpty()) {
      out.put("job", new LinkedHashMap<>(jobRules));
    }
    return Collections.unmodifiableMap(out);
  }
}
