package dev.bqjobs.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/** Writes the comparison as a Markdown table and a CSV file, and builds the last stdout line. */
final class Report {
  private Report() {}

  static String markdown(List<RunResult> rows, String title, String context) {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(title).append("\n\n").append(context).append("\n\n");
    b.append(
        "| contender | jobs run | wall s | wall s at full size | start-up s | server span s"
            + " | last insert s | slot use | bound s | ratio | quota bound s | ratio to quota bound"
            + " | jobs.get/job | jobs.insert/job | jobs.list/job | other calls/job | calls/job"
            + " | duplicates | peak heap MB | live heap MB | client CPU ms/job | server CPU ms/job | bqjobs faster by | status |\n");
    b.append(
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
            + "---|---|\n");
    RunResult ours = find(rows, "bqjobs");
    for (RunResult r : rows) {
      b.append("| ")
          .append(r.contender)
          .append(" | ")
          .append(r.ranJobs)
          .append(r.sampled ? " of " + r.fullJobs + " (sampled)" : "")
          .append(" | ")
          .append(Durations.seconds(r.wallMillis))
          .append(" | ")
          .append(Durations.seconds(r.scaledWallMillis))
          .append(r.sampled ? " (scaled)" : "")
          .append(" | ")
          .append(Durations.seconds(r.startupMillis))
          .append(" | ")
          .append(Durations.seconds(r.serverSpanMillis))
          .append(" | ")
          .append(Durations.seconds(r.lastInsertMillis))
          .append(" | ")
          .append(dec(r.utilisation))
          .append(" | ")
          .append(Durations.seconds(r.boundMillis))
          .append(" | ")
          .append(dec(r.ratio))
          .append(" | ")
          .append(Durations.seconds(r.quotaBoundMillis))
          .append(" | ")
          .append(dec(r.quotaRatio))
          .append(" | ")
          .append(dec(r.getsPerJob))
          .append(" | ")
          .append(dec(r.insertsPerJob))
          .append(" | ")
          .append(dec(r.listsPerJob))
          .append(" | ")
          .append(dec(r.otherCallsPerJob))
          .append(" | ")
          .append(dec(r.callsPerJob))
          .append(" | ")
          .append(r.duplicates)
          .append(" | ")
          .append(r.peakHeapBytes / (1024 * 1024))
          .append(" | ")
          .append(r.peakLiveHeapBytes / (1024 * 1024))
          .append(" | ")
          .append(dec(Figures.perJob(r.clientCpuMillis, r.ranJobs)))
          .append(" | ")
          .append(dec(Figures.perJob(r.serverCpuMillis, r.ranJobs)))
          .append(" | ")
          .append(
              ours == null || r == ours
                  ? ""
                  : dec(Figures.speedup(r.scaledWallMillis, ours.scaledWallMillis)) + "x")
          .append(" | ")
          .append(r.status())
          .append(" |\n");
    }
    return b.toString();
  }

  static String csv(List<RunResult> rows) {
    StringBuilder b =
        new StringBuilder(
            "contender,full_jobs,ran_jobs,sampled,wall_ms,scaled_wall_ms,startup_ms,server_span_ms,"
                + "last_insert_ms,utilisation,bound_ms,ratio,quota_bound_ms,quota_ratio,gets_per_job,"
                + "inserts_per_job,lists_per_job,other_calls_per_job,calls_per_job,duplicates,"
                + "peak_heap_bytes,peak_live_heap_bytes,client_cpu_ms,server_cpu_ms,succeeded,failed,status\n");
    for (RunResult r : rows) {
      b.append(
          String.join(
              ",",
              r.contender,
              Integer.toString(r.fullJobs),
              Integer.toString(r.ranJobs),
              Boolean.toString(r.sampled),
              Long.toString(Math.round(r.wallMillis)),
              Long.toString(Math.round(r.scaledWallMillis)),
              Long.toString(Math.round(r.startupMillis)),
              Double.isNaN(r.serverSpanMillis) ? "" : Long.toString(Math.round(r.serverSpanMillis)),
              Double.isNaN(r.lastInsertMillis) ? "" : Long.toString(Math.round(r.lastInsertMillis)),
              dec(r.utilisation),
              Long.toString(Math.round(r.boundMillis)),
              dec(r.ratio),
              Long.toString(Math.round(r.quotaBoundMillis)),
              dec(r.quotaRatio),
              dec(r.getsPerJob),
              dec(r.insertsPerJob),
              dec(r.listsPerJob),
              dec(r.otherCallsPerJob),
              dec(r.callsPerJob),
              Long.toString(r.duplicates),
              Long.toString(r.peakHeapBytes),
              Long.toString(r.peakLiveHeapBytes),
              Long.toString(r.clientCpuMillis),
              Long.toString(r.serverCpuMillis),
              Long.toString(r.succeeded),
              Long.toString(r.failed),
              "\"" + r.status().replace("\"", "'") + "\""));
      b.append('\n');
    }
    return b.toString();
  }

  /**
   * {@code bench: ratio_to_bound=R ratio_to_quota_bound=RQ gets_per_job=G lists_per_job=LS
   * calls_per_job=K speedup_vs_beam=B speedup_vs_naive=S speedup_vs_client=C duplicates=D
   * client_cpu_ms_per_job=X beam_client_cpu_ms_per_job=Y long_ratio_to_bound=L long_gets_per_job=LG
   * long_calls_per_job=LK long_speedup_vs_beam=LB} for bqjobs, from the comparison's rows and the
   * long-jobs rows (empty when not run); a figure of a contender or workload that did not run is 0.
   */
  static String lastLine(List<RunResult> rows, List<RunResult> longRows) {
    RunResult ours = find(rows, "bqjobs");
    RunResult beam = find(rows, "beam");
    RunResult longOurs = find(longRows, "bqjobs");
    StringBuilder b = new StringBuilder("bench:");
    field(b, "ratio_to_bound", ours == null ? 0 : ours.ratio);
    field(b, "ratio_to_quota_bound", ours == null ? 0 : ours.quotaRatio);
    field(b, "gets_per_job", ours == null ? 0 : ours.getsPerJob);
    field(b, "lists_per_job", ours == null ? 0 : ours.listsPerJob);
    field(b, "calls_per_job", ours == null ? 0 : ours.callsPerJob);
    b.append(" speedup_vs_beam=").append(ours == null ? "0" : speedup(rows, "beam", ours));
    b.append(" speedup_vs_naive=").append(ours == null ? "0" : speedup(rows, "naive", ours));
    b.append(" speedup_vs_client=").append(ours == null ? "0" : speedup(rows, "client", ours));
    b.append(" duplicates=").append(ours == null ? 0 : ours.duplicates);
    field(b, "client_cpu_ms_per_job", cpuPerJob(ours));
    field(b, "beam_client_cpu_ms_per_job", cpuPerJob(beam));
    field(b, "long_ratio_to_bound", longOurs == null ? 0 : longOurs.ratio);
    field(b, "long_gets_per_job", longOurs == null ? 0 : longOurs.getsPerJob);
    field(b, "long_calls_per_job", longOurs == null ? 0 : longOurs.callsPerJob);
    b.append(" long_speedup_vs_beam=")
        .append(longOurs == null ? "0" : speedup(longRows, "beam", longOurs));
    return b.toString();
  }

  private static void field(StringBuilder b, String name, double value) {
    b.append(' ').append(name).append('=').append(dec(value));
  }

  private static double cpuPerJob(@Nullable RunResult r) {
    return r == null || r.error != null ? 0 : Figures.perJob(r.clientCpuMillis, r.ranJobs);
  }

  private static String speedup(List<RunResult> rows, String name, RunResult ours) {
    RunResult other = find(rows, name);
    if (other == null || other.error != null) {
      return "0";
    }
    return dec(Figures.speedup(other.scaledWallMillis, ours.scaledWallMillis));
  }

  static @Nullable RunResult find(List<RunResult> rows, String name) {
    for (RunResult r : rows) {
      if (r.contender.equals(name)) {
        return r;
      }
    }
    return null;
  }

  /** A plain decimal with two places (never exponent notation, never NaN on the last line). */
  static String dec(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, text.getBytes(StandardCharsets.UTF_8));
  }
}
