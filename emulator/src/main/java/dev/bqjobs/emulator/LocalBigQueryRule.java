package dev.bqjobs.emulator;

import com.google.api.services.bigquery.Bigquery;
import java.util.function.UnaryOperator;
import org.junit.rules.ExternalResource;

/**
 * JUnit 4 rule that runs a {@link LocalBigQuery} server. Use it as a {@code @ClassRule} for one
 * server per test class (Beam's {@code TestPipeline} is a JUnit 4 rule too):
 *
 * <pre>{@code
 * @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();
 * @Rule public final transient TestPipeline p = TestPipeline.create();
 *
 * @Test public void runs() { ... BQ.rootUrl() ... BQ.client() ... }
 * }</pre>
 */
public class LocalBigQueryRule extends ExternalResource {
  private final UnaryOperator<LocalBigQuery.Builder> configure;
  private LocalBigQuery server;

  /** A server with the default settings. */
  public LocalBigQueryRule() {
    this(b -> b);
  }

  /** A server whose builder {@code configure} adjusts, e.g. {@code b -> b.maxRunningJobs(10)}. */
  public LocalBigQueryRule(UnaryOperator<LocalBigQuery.Builder> configure) {
    this.configure = configure;
  }

  @Override
  protected void before() throws Throwable {
    server = configure.apply(LocalBigQuery.builder()).start();
  }

  @Override
  protected void after() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The running server. */
  public LocalBigQuery server() {
    if (server == null) {
      throw new IllegalStateException(
          "the LocalBigQueryRule is not running (use it as a @ClassRule or @Rule)");
    }
    return server;
  }

  public String rootUrl() {
    return server().rootUrl();
  }

  /** {@link LocalBigQuery#pipelineArgs()} of the running server. */
  public java.util.List<String> pipelineArgs() {
    return server().pipelineArgs();
  }

  public Bigquery client() {
    return server().client();
  }
}
