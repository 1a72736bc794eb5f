package dev.bqjobs.pipelines.reliability;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.bqjobs.emulator.LocalBigQuery;
import dev.bqjobs.transforms.BigQueryJobs;
import dev.bqjobs.transforms.JobRequest;
import dev.bqjobs.transforms.JobResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * The child JVM of {@link AccessIT}: a local server with access control, and the transform run with
 * bearer tokens of three principals (allowed, without {@code bigquery.jobs.create}, unknown), every
 * log at its most verbose (slf4j debug, java.util.logging FINE for Google's HTTP client, which logs
 * request headers at CONFIG). Writes each result to {@code OUT/results.txt}; the parent scans its
 * console output and files for the tokens.
 *
 * <p>Arguments: {@code OUT IAM_FILE ALLOWED_TOKEN DENIED_TOKEN UNKNOWN_TOKEN}.
 */
public final class TokenScanMain {
  private TokenScanMain() {}

  /** Held, so that its level is not lost when the logger is collected. */
  private static final Logger JDK_HTTP =
      Logger.getLogger("sun.net.www.protocol.http.HttpURLConnection");

  public static void main(String[] args) throws Exception {
    Path out = Paths.get(args[0]);
    Path iam = Paths.get(args[1]);
    Logger root = Logger.getLogger("");
    root.setLevel(Level.ALL);
    for (java.util.logging.Handler h : root.getHandlers()) {
      h.setLevel(Level.ALL);
    }
    // The JDK's own HTTP client logs every request header, the bearer token included, when its
    // logger is at FINE or lower: outside bqjobs's control (documented in reliability.md).
    JDK_HTTP.setLevel(Level.INFO);
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    Logger http = Logger.getLogger("com.google.api.client.http");
    http.setLevel(Level.ALL);
    http.addHandler(console);
    try (LocalBigQuery server = LocalBigQuery.builder().project("secure").iam(iam).start()) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
      String[] who = {"allowed", "denied", "unknown"};
      for (int i = 0; i < 3; i++) {
        List<JobRequest> requests = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          requests.add(
              JobRequest.of(
                      new JobConfiguration()
                          .setQuery(
                              new JobConfigurationQuery()
                                  .setQuery("SELECT " + j + " AS n")
                                  .setUseLegacySql(false)))
                  .withKey(who[i] + j));
        }
        GoogleCredentials credentials =
            GoogleCredentials.create(
                new AccessToken(args[2 + i], new Date(System.currentTimeMillis() + 3_600_000L)));
        BigQueryJobs.Result result =
            p.apply("Requests" + who[i], Create.of(requests))
                .apply(
                    "Run" + who[i],
                    BigQueryJobs.run()
                        .withRootUrl(server.rootUrl())
                        .withProject("secure")
                        .withRunToken("scan")
                        .withCredentials(credentials)
                        .withPollBackoff(
                            org.joda.time.Duration.millis(50), org.joda.time.Duration.millis(500)));
        PCollectionList.of(result.succeeded())
            .and(result.succeededWithWarnings())
            .and(result.failed())
            .apply("All" + who[i], Flatten.pCollections())
            .apply("Write" + who[i], ParDo.of(new WriteFn(out.resolve("results.txt").toString())));
      }
      PipelineResult.State state =
          p.run().waitUntilFinish(org.joda.time.Duration.standardMinutes(5));
      System.out.println("pipeline state " + state);
      System.exit(state == PipelineResult.State.DONE ? 0 : 3);
    }
  }

  /** One line per result: key, outcome, reason, message, the whole result. */
  private static final class WriteFn extends DoFn<JobResult, Void> {
    private final String file;

    WriteFn(String file) {
      this.file = file;
    }

    @ProcessElement
    public synchronized void process(@Element JobResult r) throws Exception {
      String line =
          r.getKey()
              + "\t"
              + r.getOutcome()
              + "\t"
              + (r.getErrorResult() == null ? "" : r.getErrorResult().getReason())
              + "\t"
              + (r.getErrorResult() == null
                  ? ""
                  : r.getErrorResult().getMessage().replace('\n', ' ').replace('\t', ' '))
              + "\t"
              + r.toString().replace('\n', ' ')
              + "\n";
      synchronized (TokenScanMain.class) {
        Files.writeString(
            Paths.get(file),
            line,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    }
  }
}
