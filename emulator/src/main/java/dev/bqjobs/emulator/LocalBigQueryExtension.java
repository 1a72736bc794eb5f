package dev.bqjobs.emulator;

import com.google.api.services.bigquery.Bigquery;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that runs one {@link LocalBigQuery} server per test class and injects it (or
 * its {@link Bigquery} client) into test parameters:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalBigQueryExtension BQ = new LocalBigQueryExtension();
 *
 * @Test void runs(Bigquery client) { ... }
 * }</pre>
 *
 * <p>Also usable as {@code @ExtendWith(LocalBigQueryExtension.class)} with default settings.
 */
public class LocalBigQueryExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private final UnaryOperator<LocalBigQuery.Builder> configure;
  private LocalBigQuery server;

  public LocalBigQueryExtension() {
    this(b -> b);
  }

  /** A server whose builder {@code configure} adjusts, e.g. {@code b -> b.maxRunningJobs(10)}. */
  public LocalBigQueryExtension(UnaryOperator<LocalBigQuery.Builder> configure) {
    this.configure = configure;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = configure.apply(LocalBigQuery.builder()).start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  public LocalBigQuery server() {
    if (server == null) {
      throw new IllegalStateException("the LocalBigQueryExtension is not running");
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

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == LocalBigQuery.class || type == Bigquery.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalBigQuery.class ? server() : client();
  }
}
