package dev.bqjobs.emulator;

import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.bigquery.Bigquery;
import dev.bqjobs.emulator.api.JobsApi;
import dev.bqjobs.emulator.api.QueriesApi;
import dev.bqjobs.emulator.api.ResourcesApi;
import dev.bqjobs.emulator.engine.EngineOptions;
import dev.bqjobs.emulator.engine.JobManager;
import dev.bqjobs.emulator.faults.FaultInjector;
import dev.bqjobs.emulator.faults.FaultPlan;
import dev.bqjobs.emulator.faults.RateQuotas;
import dev.bqjobs.emulator.gcs.ObjectStore;
import dev.bqjobs.emulator.gcs.StorageApi;
import dev.bqjobs.emulator.http.HttpServerHost;
import dev.bqjobs.emulator.http.Reply;
import dev.bqjobs.emulator.http.Router;
import dev.bqjobs.emulator.iam.AccessControl;
import dev.bqjobs.emulator.iam.AccessPolicy;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.GcsPaths;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local BigQuery server: the BigQuery v2 REST API over HTTP on loopback, with jobs that really
 * run (SQL on embedded DuckDB). Start one in-process:
 *
 * <pre>{@code
 * try (LocalBigQuery bq = LocalBigQuery.builder().start()) {
 *   Bigquery client = bq.client();             // a ready google-api-services-bigquery client
 *   String url = bq.rootUrl();                 // e.g. http://127.0.0.1:40123/ for any other client
 * }
 * }</pre>
 *
 * <p>Tests use {@link LocalBigQueryRule} (JUnit 4) or {@link LocalBigQueryExtension} (JUnit 5); the
 * standalone server is {@code java -jar bqjobs-emulator.jar} ({@link Main}).
 */
public final class LocalBigQuery implements AutoCloseable {
  /** Request bodies above this size are refused with 413 (BigQuery's REST limit is 10 MB). */
  public static final long MAX_REQUEST_BYTES = 10L * 1024 * 1024;

  private final Builder settings;
  private final HttpServerHost server;
  private final Catalog catalog;
  private final JobManager jobs;
  private final Path gcsRoot;
  private final boolean gcsRootIsTemporary;
  private final Map<String, AtomicLong> requestCounts = new ConcurrentHashMap<>();
  private final FaultInjector faults;
  private final String rootUrl;
  private final StorageApi storageApi;
  private volatile String storageBaseUrl = "http://127.0.0.1/";
  private volatile Bigquery client;
  private volatile boolean closed;

  private LocalBigQuery(Builder settings) throws IOException {
    refuseOpenBindWithoutIam(settings);
    this.settings = settings;
    this.catalog = new Catalog(settings.dataDir, System::currentTimeMillis);
    // gs:// needs a folder; without --gcs-root a fresh temporary one, removed on close
    this.gcsRootIsTemporary = settings.gcsRoot == null;
    this.gcsRoot =
        gcsRootIsTemporary
            ? java.nio.file.Files.createTempDirectory("bqjobs-gcs-")
            : java.nio.file.Files.createDirectories(settings.gcsRoot).toAbsolutePath();
    this.jobs =
        new JobManager(
            catalog,
            new EngineOptions(
                settings.maxRunningJobs,
                settings.minRuntimeMs,
                settings.maxRuntimeMs,
                settings.seed,
                "local-user@bqjobs.local"),
            System::currentTimeMillis,
            new dev.bqjobs.emulator.store.GcsPaths(gcsRoot));
    jobs.recover();
    Router router = new Router(MAX_REQUEST_BYTES);
    new ResourcesApi(catalog).register(router);
    AccessControl access =
        new AccessControl(settings.iamFile == null ? null : AccessPolicy.read(settings.iamFile));
    jobs.setAccessControl(access);
    new JobsApi(jobs, access).register(router);
    new QueriesApi(jobs, catalog, access).register(router);
    new dev.bqjobs.emulator.api.UploadsApi(jobs).register(router);
    router.add("GET", "/emulator/v1/stats", "emulator.stats", call -> Reply.ok(stats()));
    this.storageApi = mountStorage(router, access);
    this.faults =
        new FaultInjector(
            FaultPlan.parse(settings.faultSpec, settings.seed),
            RateQuotas.parse(settings.quotaSpec, System::nanoTime));
    jobs.setFaults(faults.plan());
    router.setInterceptor(
        (method, call) -> {
          String principal =
              access.authorize(
                  method,
                  call.header("Authorization"),
                  call.param("projectId"),
                  call.param("datasetId"));
          if (principal != null) {
            call.setPrincipal(principal);
          }
          return switch (faults.before(method)) {
            case LOST -> Router.Delivery.DROP;
            case LOST_503 -> Router.Delivery.SERVICE_UNAVAILABLE;
            case NORMAL -> Router.Delivery.NORMAL;
          };
        });
    router.setListener(
        (method, status) ->
            requestCounts
                .computeIfAbsent(
                    (method == null ? "unrouted" : method) + " " + status, k -> new AtomicLong())
                .incrementAndGet());
    try {
      this.server = HttpServerHost.start(settings.host, settings.port, router);
    } catch (IOException e) {
      jobs.close();
      catalog.close();
      throw e;
    }
    String host = settings.host.contains(":") ? "[" + settings.host + "]" : settings.host;
    this.rootUrl = "http://" + host + ":" + server.port() + "/";
    jobs.setBaseUrl(rootUrl);
    storageBaseUrl = rootUrl;
  }

  /**
   * Cloud Storage's JSON API over the gs:// folder, on the same port. With access control on, a
   * storage call needs a known bearer token (any principal may use every bucket).
   */
  private StorageApi mountStorage(Router router, AccessControl access) throws IOException {
    ObjectStore store =
        new ObjectStore(
            gcsRoot,
            gcsRoot.resolve(GcsPaths.STAGING).resolve("storage-api"),
            () -> {
              Instant now = Instant.now();
              return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
            });
    StorageApi api =
        new StorageApi(
            store,
            authorization -> access.authorize("storage.objects", authorization, null, null),
            () -> storageBaseUrl);
    for (String prefix : StorageApi.PREFIXES) {
      router.mount(prefix, api);
    }
    return api;
  }

  /**
   * Anyone who can reach a non-loopback address could read and change every table: such a bind
   * needs access control.
   */
  private static void refuseOpenBindWithoutIam(Builder settings) throws IOException {
    java.net.InetAddress address = java.net.InetAddress.getByName(settings.host);
    if (!address.isLoopbackAddress() && settings.iamFile == null) {
      throw new IllegalArgumentException(
          "refusing to listen on "
              + settings.host
              + " without access control: anyone who can reach that address could read and change"
              + " all data. Bind a loopback address (127.0.0.1) or pass --iam FILE.");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The server's root URL with a trailing slash, e.g. {@code http://127.0.0.1:40123/}. */
  public String rootUrl() {
    return rootUrl;
  }

  /**
   * The bucket {@link #pipelineArgs()} puts a pipeline's {@code --tempLocation} in ({@code
   * gs://bqjobs-temp/tmp}); made in {@link #gcsRoot()} when the arguments are asked for.
   */
  public static final String TEMP_BUCKET = "bqjobs-temp";

  /** Beam's credential factory that sends no credentials, for a server that wants none. */
  static final String NO_CREDENTIALS =
      "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory";

  /**
   * The Beam pipeline arguments that point a whole pipeline at this server: BigQuery ({@code
   * --bigQueryEndpoint}: {@code BigQueryIO}'s jobs, tables and streaming inserts; {@code
   * BigQueryJobs}), Cloud Storage ({@code --gcsEndpoint}: {@code TextIO}, {@code FileIO}, {@code
   * AvroIO}, {@code BigQueryIO}'s temp files on {@code gs://}), no credentials ({@code
   * --credentialFactoryClass}), {@code --project}, and {@code --tempLocation} on the local bucket
   * {@link #TEMP_BUCKET}, which this call makes. Hand them to {@code
   * PipelineOptionsFactory.fromArgs(...)} beside the pipeline's own; this module does not depend on
   * Beam. BigQuery's Storage APIs ({@code DIRECT_READ}, {@code STORAGE_WRITE_API}) have no endpoint
   * option in Beam 2.70 and are not served.
   */
  public java.util.List<String> pipelineArgs() {
    try {
      java.nio.file.Files.createDirectories(gcsRoot.resolve(TEMP_BUCKET));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot make the bucket " + TEMP_BUCKET, e);
    }
    return java.util.List.of(
        "--bigQueryEndpoint=" + rootUrl,
        "--gcsEndpoint=" + rootUrl + "storage/v1/",
        "--credentialFactoryClass=" + NO_CREDENTIALS,
        "--project=" + settings.project,
        "--tempLocation=gs://" + TEMP_BUCKET + "/tmp");
  }

  /** The TCP port the server listens on. */
  public int port() {
    return server.port();
  }

  public String host() {
    return settings.host;
  }

  /** The project shown to users by default; requests may name any project. */
  public String projectId() {
    return settings.project;
  }

  /**
   * A {@link Bigquery} client pointed at this server, without credentials, with
   * google-http-client's default timeouts. The same instance is returned on every call.
   */
  public Bigquery client() {
    Bigquery c = client;
    if (c == null) {
      synchronized (this) {
        if (client == null) {
          HttpRequestInitializer noAuth = request -> {};
          client =
              new Bigquery.Builder(new NetHttpTransport(), JsonCodec.factory(), noAuth)
                  .setRootUrl(rootUrl)
                  .setApplicationName("bqjobs-emulator-client")
                  .build();
        }
        c = client;
      }
    }
    return c;
  }

  /** How many times each job ({@code project:jobId}) executed; every value should be 1. */
  public Map<String, Integer> executionsPerJob() {
    return jobs.executionsPerJob();
  }

  /** Requests answered, keyed {@code "<api method> <status>"}, e.g. {@code "jobs.get 200"}. */
  public Map<String, Long> requestCounts() {
    Map<String, Long> out = new TreeMap<>();
    requestCounts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private Map<String, Object> stats() {
    Map<String, Object> out = new TreeMap<>();
    out.put("requests", requestCounts());
    out.put("connections", server.connections());
    out.put("executionsPerJob", new TreeMap<>(executionsPerJob()));
    out.put("jobsByState", new TreeMap<>(jobs.countsByState()));
    out.put("scheduledRuntimeMs", new TreeMap<>(jobs.scheduledRuntimes()));
    out.put("faults", faults.plan().describe());
    out.put("faultsInjected", faults.injectedCount());
    out.put("quotas", faults.quotas().rates());
    return out;
  }

  /**
   * Replaces the injected faults at run time ({@link FaultPlan#GRAMMAR}); an empty spec switches
   * them off. Seeded with the server's seed.
   */
  public void setFaults(String spec) {
    FaultPlan plan = FaultPlan.parse(spec, settings.seed);
    faults.setPlan(plan);
    jobs.setFaults(plan);
  }

  /** Replaces the per-method rate quotas ({@code jobs.get=1000,jobs.insert=100}); empty: none. */
  public void setQuotas(String spec) {
    faults.setQuotas(RateQuotas.parse(spec, System::nanoTime));
  }

  /** The runtime each job was scheduled to stay RUNNING ({@code project:jobId} -> ms). */
  public Map<String, Long> scheduledRuntimes() {
    return jobs.scheduledRuntimes();
  }

  /** Stops the server: no new requests, running jobs are abandoned, storage closed. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close();
    jobs.close();
    catalog.close();
    if (gcsRootIsTemporary) {
      deleteTree(gcsRoot);
    }
  }

  private static void deleteTree(Path folder) {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(folder)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder left behind is harmless
    }
  }

  /** Settings of a server; defaults suit tests (loopback, a free port, jobs without delay). */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 0;
    private String project = "local-project";
    private Path dataDir;
    private Path gcsRoot;
    private long minRuntimeMs;
    private long maxRuntimeMs;
    private int maxRunningJobs = 100;
    private long seed = 42;
    private String faultSpec = "";
    private String quotaSpec = "";
    private Path iamFile;

    private Builder() {}

    /**
     * Access control from a policy file (tokens -> principals, role bindings; format in {@link
     * AccessPolicy}). Without it every request is allowed, and only loopback binds are accepted.
     *
     * @throws IllegalArgumentException when the file cannot be read or is invalid
     */
    public Builder iam(Path iamFile) {
      if (iamFile != null) {
        AccessPolicy.read(iamFile);
      }
      this.iamFile = iamFile;
      return this;
    }

    /**
     * Injected faults, e.g. {@code jobs.insert:503=0.1,lost=0.05;job:backendError=0.05}; grammar in
     * {@link FaultPlan#GRAMMAR}. Draws are seeded by {@link #seed}.
     *
     * @throws IllegalArgumentException naming the bad part of the spec
     */
    public Builder faults(String spec) {
      FaultPlan.parse(spec, 0);
      this.faultSpec = spec == null ? "" : spec;
      return this;
    }

    /**
     * Per-method request quotas in requests per second, e.g. {@code jobs.get=1000,jobs.insert=100};
     * above them the server answers 403 {@code rateLimitExceeded}.
     */
    public Builder quotas(String spec) {
      RateQuotas.parse(spec, System::nanoTime);
      this.quotaSpec = spec == null ? "" : spec;
      return this;
    }

    /** Interface to bind; default {@code 127.0.0.1}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** TCP port; default 0, a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** The default project shown to users; requests may name any project. */
    public Builder project(String project) {
      Catalog.validateProjectId(project);
      this.project = project;
      return this;
    }

    /** Keep tables in this folder (default: in memory). */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Folder standing in for {@code gs://} (bucket = first level). */
    public Builder gcsRoot(Path gcsRoot) {
      this.gcsRoot = gcsRoot;
      return this;
    }

    /**
     * Every job without the {@code bqjobs-emulator-runtime-ms} label stays RUNNING a random time in
     * {@code [min, max]} (seeded, see {@link #seed}); default none.
     */
    public Builder jobRuntime(Duration min, Duration max) {
      if (min.isNegative() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "job runtime range must satisfy 0 <= min <= max, got " + min + ".." + max);
      }
      this.minRuntimeMs = min.toMillis();
      this.maxRuntimeMs = max.toMillis();
      return this;
    }

    /** At most this many jobs RUNNING at once, the rest PENDING; default 100. */
    public Builder maxRunningJobs(int maxRunningJobs) {
      if (maxRunningJobs < 1) {
        throw new IllegalArgumentException(
            "maxRunningJobs must be at least 1, got " + maxRunningJobs);
      }
      this.maxRunningJobs = maxRunningJobs;
      return this;
    }

    /** Seed of the random runtimes, so a workload repeats exactly; default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Starts the server.
     *
     * @throws java.net.BindException when the port is in use
     */
    public LocalBigQuery start() throws IOException {
      return new LocalBigQuery(this);
    }
  }

  /**
   * The folder standing in for {@code gs://}: {@code gs://BUCKET/PATH} is {@code ROOT/BUCKET/PATH}.
   */
  public Path gcsRoot() {
    return gcsRoot;
  }
}
