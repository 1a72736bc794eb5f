package dev.bqjobs.emulator.store;

import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import dev.bqjobs.emulator.sql.JavaFunctions;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.duckdb.DuckDBConnection;

/**
 * Datasets and tables, stored in one embedded DuckDB database: every BigQuery project is a DuckDB
 * catalog (an attached database named exactly like the project), every dataset a schema in it,
 * every table a table. So BigQuery's three-part names map one to one onto DuckDB's, and SQL that
 * names {@code project.dataset.table} resolves natively. Metadata that DuckDB has no place for
 * (dataset location, descriptions, labels, creation times) is kept beside it.
 */
public final class Catalog implements AutoCloseable {
  /** Hidden dataset that holds the anonymous result tables of queries without a destination. */
  public static final String ANONYMOUS_DATASET = "_bqjobs_anonymous";

  private static final Set<String> RESERVED_CATALOGS = Set.of("memory", "system", "temp", "main");
  private static final Set<String> INTERNAL_SCHEMAS =
      Set.of("information_schema", "pg_catalog", "main", MetadataStore.SCHEMA);
  private static final Pattern DATASET_ID = Pattern.compile("[A-Za-z0-9_]{1,1024}");
  private static final Pattern TABLE_ID =
      Pattern.compile("[\\p{L}\\p{M}\\p{N}\\p{Pc}\\p{Pd} ]{1,1024}");
  private static final Pattern PROJECT_ID =
      Pattern.compile("[a-z0-9.:_-]{1,128}", Pattern.CASE_INSENSITIVE);

  private final DuckDBConnection root;
  private final Path dataDir;
  private final LongSupplier clock;
  private final Set<String> attached = ConcurrentHashMap.newKeySet();
  private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();
  private final Map<String, Table> tables = new ConcurrentHashMap<>();

  /** Non-null when {@code dataDir} is set: side metadata survives restarts. */
  private final MetadataStore metadata;

  /**
   * @param dataDir folder to keep each project's database in, or null to keep everything in memory
   * @param clock epoch milliseconds
   */
  public Catalog(Path dataDir, LongSupplier clock) {
    this.dataDir = dataDir;
    this.clock = clock;
    try {
      this.root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
      try (Statement s = root.createStatement()) {
        for (String setup : DuckDbTypes.databaseSetup()) {
          s.execute(setup);
        }
      }
      JavaFunctions.register(root);
      if (dataDir != null) {
        Files.createDirectories(dataDir);
      }
    } catch (SQLException | java.io.IOException e) {
      throw new IllegalStateException("cannot open the embedded DuckDB database: " + e, e);
    }
    this.metadata = dataDir == null ? null : new MetadataStore(root);
    if (dataDir != null) {
      reopen();
    }
  }

  /** Attaches every project database found in the data folder and loads its side metadata. */
  private void reopen() {
    try (java.util.stream.Stream<Path> files = Files.list(dataDir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.endsWith(".duckdb")) {
          String project = name.substring(0, name.length() - ".duckdb".length());
          ensureProject(project);
          metadata
              .loadDatasets(project)
              .forEach((d, value) -> datasets.put(key(project, d), value));
          metadata
              .loadTables(project)
              .forEach((t, value) -> tables.put(key(project, "") + t, value));
        }
      }
    } catch (java.io.IOException | SQLException e) {
      throw new IllegalStateException("cannot reopen the data folder " + dataDir + ": " + e, e);
    }
  }

  /** The metadata store when the server persists to a data folder, else null. */
  public MetadataStore metadata() {
    return metadata;
  }

  /** Projects whose databases are attached, e.g. to recover their jobs after a restart. */
  public java.util.List<String> projects() {
    return new java.util.ArrayList<>(attached);
  }

  /**
   * A new DuckDB connection for one request or job, with the session set up and the project (and
   * default dataset, when given) as the default for unqualified names. The caller closes it.
   */
  public Connection connect(String project, String defaultDataset) throws SQLException {
    ensureProject(project);
    Connection connection = root.duplicate();
    try (Statement s = connection.createStatement()) {
      for (String setup : DuckDbTypes.sessionSetup()) {
        s.execute(setup);
      }
    }
    try (Statement s = connection.createStatement()) {
      if (defaultDataset != null && datasetExists(project, defaultDataset)) {
        s.execute("USE " + quote(project) + "." + quote(defaultDataset));
      } else {
        s.execute("USE " + quote(project));
      }
    }
    return connection;
  }

  /** Attaches the project's database on first use. Any project ID is accepted. */
  public void ensureProject(String project) {
    validateProjectId(project);
    if (attached.contains(project)) {
      return;
    }
    synchronized (attached) {
      if (attached.contains(project)) {
        return;
      }
      String target =
          dataDir == null ? ":memory:" : dataDir.resolve(project + ".duckdb").toString();
      try (Statement s = root.createStatement()) {
        s.execute("ATTACH IF NOT EXISTS " + literal(target) + " AS " + quote(project));
        if (metadata != null) {
          metadata.initProject(project);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot attach project " + project + ": " + e, e);
      }
      attached.add(project);
    }
  }

  public static void validateProjectId(String project) {
    if (project == null || !PROJECT_ID.matcher(project).matches()) {
      throw BigQueryError.invalid("Invalid project ID '" + project + "'.");
    }
    if (RESERVED_CATALOGS.contains(project.toLowerCase(java.util.Locale.ROOT))) {
      throw BigQueryError.invalid(
          "Project ID '" + project + "' is reserved by the local server's storage; use another.");
    }
  }

  // ---------------------------------------------------------------- datasets

  public Dataset createDataset(String project, Dataset request) {
    DatasetReference ref = request.getDatasetReference();
    if (ref == null || ref.getDatasetId() == null) {
      throw BigQueryError.required("Missing required field: datasetReference.datasetId.");
    }
    String datasetId = ref.getDatasetId();
    if (ref.getProjectId() != null && !ref.getProjectId().equals(project)) {
      throw BigQueryError.invalid(
          "Dataset project "
              + ref.getProjectId()
              + " does not match the project "
              + project
              + " of the request URL.");
    }
    validateDatasetId(datasetId);
    ensureProject(project);
    String key = key(project, datasetId);
    synchronized (datasets) {
      if (datasetExists(project, datasetId)) {
        throw BigQueryError.duplicate("Already Exists: Dataset " + project + ":" + datasetId);
      }
      if (!datasetId.equals("main")) {
        execute("CREATE SCHEMA " + quote(project) + "." + quote(datasetId));
      }
      Dataset stored = JsonCodec.copy(request);
      long now = clock.getAsLong();
      String location = Locations.normalize(request.getLocation());
      stored.setDatasetReference(
          new DatasetReference().setProjectId(project).setDatasetId(datasetId));
      stored.setLocation(location == null ? Locations.DEFAULT : location);
      stored.setCreationTime(now);
      stored.setLastModifiedTime(now);
      stored.setKind("bigquery#dataset");
      stored.setId(project + ":" + datasetId);
      stored.setType("DEFAULT");
      datasets.put(key, stored);
      if (metadata != null) {
        metadata.putDataset(project, datasetId, stored);
      }
      return JsonCodec.copy(stored);
    }
  }

  /**
   * Creates a schema (a hidden dataset such as {@link #ANONYMOUS_DATASET}) if it is missing, in its
   * own committed transaction.
   */
  public void ensureSchema(String project, String datasetId) {
    ensureProject(project);
    synchronized (datasets) {
      execute("CREATE SCHEMA IF NOT EXISTS " + quote(project) + "." + quote(datasetId));
    }
  }

  public Dataset getDataset(String project, String datasetId) {
    Dataset dataset = findDataset(project, datasetId);
    if (dataset == null) {
      throw BigQueryError.notFound("Not found: Dataset " + project + ":" + datasetId);
    }
    return dataset;
  }

  /** The dataset, or null. Datasets made by SQL ({@code CREATE SCHEMA}) are located in US. */
  public Dataset findDataset(String project, String datasetId) {
    if (!datasetExists(project, datasetId)) {
      return null;
    }
    Dataset stored = datasets.get(key(project, datasetId));
    if (stored == null) {
      long now = clock.getAsLong();
      stored =
          new Dataset()
              .setDatasetReference(
                  new DatasetReference().setProjectId(project).setDatasetId(datasetId))
              .setLocation(Locations.DEFAULT)
              .setCreationTime(now)
              .setLastModifiedTime(now)
              .setKind("bigquery#dataset")
              .setId(project + ":" + datasetId)
              .setType("DEFAULT");
      Dataset raced = datasets.putIfAbsent(key(project, datasetId), stored);
      stored = raced == null ? stored : raced;
    }
    return JsonCodec.copy(stored);
  }

  public String datasetLocation(String project, String datasetId) {
    Dataset d = findDataset(project, datasetId);
    return d == null ? null : d.getLocation();
  }

  public boolean datasetExists(String project, String datasetId) {
    ensureProject(project);
    if (datasetId.equals("main")) {
      return datasets.containsKey(key(project, datasetId));
    }
    return queryLong(
            "SELECT count(*) FROM duckdb_schemas() WHERE database_name = ? AND schema_name = ?",
            project,
            datasetId)
        > 0;
  }

  /**
   * Datasets of a project in name order; hidden ones (name starting with {@code _}) only if all.
   */
  public List<Dataset> listDatasets(String project, boolean all) {
    ensureProject(project);
    List<Dataset> out = new ArrayList<>();
    for (String name :
        queryStrings(
            "SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? ORDER BY schema_name",
            project)) {
      if (INTERNAL_SCHEMAS.contains(name) || (!all && name.startsWith("_"))) {
        continue;
      }
      out.add(findDataset(project, name));
    }
    if (datasets.containsKey(key(project, "main"))) {
      out.add(findDataset(project, "main"));
      out.sort(java.util.Comparator.comparing(d -> d.getDatasetReference().getDatasetId()));
    }
    return out;
  }

  public void deleteDataset(String project, String datasetId, boolean deleteContents) {
    getDataset(project, datasetId);
    synchronized (datasets) {
      List<String> contained = tableNames(project, datasetId);
      if (!contained.isEmpty() && !deleteContents) {
        throw BigQueryError.resourceInUse(
            "Dataset " + project + ":" + datasetId + " is still in use");
      }
      if (datasetId.equals("main")) {
        for (String t : contained) {
          execute("DROP TABLE " + qualified(project, datasetId, t));
        }
      } else {
        execute("DROP SCHEMA " + quote(project) + "." + quote(datasetId) + " CASCADE");
      }
      datasets.remove(key(project, datasetId));
      if (metadata != null) {
        metadata.removeDataset(project, datasetId);
      }
      tables.keySet().removeIf(k -> k.startsWith(key(project, datasetId) + "."));
    }
  }

  // ---------------------------------------------------------------- tables

  /** tables.insert: creates an empty table with the given schema (or none). */
  public Table createTable(String project, String datasetId, Table request) {
    TableReference ref = request.getTableReference();
    if (ref == null || ref.getTableId() == null) {
      throw BigQueryError.required("Missing required field: tableReference.tableId.");
    }
    String tableId = ref.getTableId();
    validateTableId(tableId);
    getDataset(project, datasetId);
    if (request.getView() != null || request.getMaterializedView() != null) {
      throw BigQueryError.invalid("Views are not supported by the local server.");
    }
    List<TableFieldSchema> fields =
        request.getSchema() == null || request.getSchema().getFields() == null
            ? List.of()
            : request.getSchema().getFields();
    StringBuilder ddl =
        new StringBuilder("CREATE TABLE ")
            .append(qualified(project, datasetId, tableId))
            .append(" (");
    if (fields.isEmpty()) {
      // DuckDB needs a column; a schemaless BigQuery table gets its schema from its first load.
      throw BigQueryError.invalid(
          "The local server needs a schema to create table "
              + project
              + ":"
              + datasetId
              + "."
              + tableId
              + ".");
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < fields.size(); i++) {
      TableFieldSchema f = fields.get(i);
      if (f.getName() == null || f.getName().isEmpty()) {
        throw BigQueryError.invalid("Field at index " + i + " has no name.");
      }
      if (!seen.add(f.getName().toLowerCase(java.util.Locale.ROOT))) {
        throw BigQueryError.invalid("Field " + f.getName() + " already exists in schema");
      }
      String type;
      try {
        type = DuckDbTypes.duckDbTypeOf(f);
      } catch (IllegalArgumentException e) {
        throw BigQueryError.invalid(e.getMessage());
      }
      if (i > 0) {
        ddl.append(", ");
      }
      ddl.append(quote(f.getName())).append(' ').append(type);
      if ("REQUIRED".equalsIgnoreCase(f.getMode())) {
        ddl.append(" NOT NULL");
      }
    }
    ddl.append(')');
    synchronized (datasets) {
      if (tableExists(project, datasetId, tableId)) {
        throw BigQueryError.duplicate(
            "Already Exists: Table " + project + ":" + datasetId + "." + tableId);
      }
      execute(ddl.toString());
      Table stored = JsonCodec.copy(request);
      stored.setSchema(null);
      rememberFieldDescriptions(stored, request.getSchema());
      tables.put(key(project, datasetId) + "." + tableId, stored);
      if (metadata != null) {
        metadata.putTable(project, datasetId, tableId, stored);
      }
    }
    return getTable(project, datasetId, tableId);
  }

  private static void rememberFieldDescriptions(Table stored, TableSchema schema) {
    if (schema != null) {
      stored.set("bqjobsDeclaredSchema", JsonCodec.write(schema));
    }
  }

  public Table getTable(String project, String datasetId, String tableId) {
    Table table = findTable(project, datasetId, tableId);
    if (table == null) {
      throw BigQueryError.notFound("Not found: Table " + project + ":" + datasetId + "." + tableId);
    }
    return table;
  }

  /** The table's resource (schema and numRows from DuckDB), or null. */
  public Table findTable(String project, String datasetId, String tableId) {
    if (!datasetExists(project, datasetId) || !tableExists(project, datasetId, tableId)) {
      return null;
    }
    String key = key(project, datasetId) + "." + tableId;
    Table meta = tables.computeIfAbsent(key, k -> new Table().setCreationTime(clock.getAsLong()));
    Table out = JsonCodec.copy(meta);
    Object declared = out.remove("bqjobsDeclaredSchema");
    out.setKind("bigquery#table");
    out.setId(project + ":" + datasetId + "." + tableId);
    out.setTableReference(
        new TableReference().setProjectId(project).setDatasetId(datasetId).setTableId(tableId));
    out.setType("TABLE");
    out.setLocation(datasetLocation(project, datasetId));
    if (out.getCreationTime() == null) {
      out.setCreationTime(clock.getAsLong());
    }
    if (out.getLastModifiedTime() == null) {
      out.setLastModifiedTime(java.math.BigInteger.valueOf(out.getCreationTime()));
    }
    TableSchema schema = schemaOf(project, datasetId, tableId);
    mergeDescriptions(schema, declared == null ? null : declared.toString());
    out.setSchema(schema);
    long rows = rowCount(project, datasetId, tableId);
    out.setNumRows(java.math.BigInteger.valueOf(rows));
    out.setNumBytes(rows * Math.max(1, schema.getFields().size()) * 8L);
    return out;
  }

  private static void mergeDescriptions(TableSchema schema, String declaredJson) {
    if (declaredJson == null) {
      return;
    }
    try {
      TableSchema declared = JsonCodec.factory().fromString(declaredJson, TableSchema.class);
      if (declared.getFields() == null) {
        return;
      }
      for (TableFieldSchema f : schema.getFields()) {
        for (TableFieldSchema d : declared.getFields()) {
          if (d.getName() != null && d.getName().equalsIgnoreCase(f.getName())) {
            f.setDescription(d.getDescription());
          }
        }
      }
    } catch (java.io.IOException e) {
      // descriptions are cosmetic; the schema itself comes from DuckDB
    }
  }

  /** Marks a table as changed now (its lastModifiedTime), e.g. after a job wrote to it. */
  public void touch(String project, String datasetId, String tableId) {
    String key = key(project, datasetId) + "." + tableId;
    long now = clock.getAsLong();
    tables.compute(
        key,
        (k, t) -> {
          Table table = t == null ? new Table().setCreationTime(now) : t;
          table.setLastModifiedTime(java.math.BigInteger.valueOf(now));
          if (metadata != null) {
            metadata.putTable(project, datasetId, tableId, table);
          }
          return table;
        });
  }

  /** Forgets side metadata of a table dropped by SQL. */
  public void forget(String project, String datasetId, String tableId) {
    tables.remove(key(project, datasetId) + "." + tableId);
    if (metadata != null) {
      metadata.removeTable(project, datasetId, tableId);
    }
  }

  public boolean tableExists(String project, String datasetId, String tableId) {
    ensureProject(project);
    return queryLong(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?"
                + " AND table_name = ?",
            project,
            datasetId,
            tableId)
        > 0;
  }

  public List<String> tableNames(String project, String datasetId) {
    return queryStrings(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?"
            + " ORDER BY table_name",
        project,
        datasetId);
  }

  public List<Table> listTables(String project, String datasetId) {
    getDataset(project, datasetId);
    List<Table> out = new ArrayList<>();
    for (String name : tableNames(project, datasetId)) {
      Table t = findTable(project, datasetId, name);
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  public void deleteTable(String project, String datasetId, String tableId) {
    getTable(project, datasetId, tableId);
    execute("DROP TABLE IF EXISTS " + qualified(project, datasetId, tableId));
    forget(project, datasetId, tableId);
  }

  /** The table's schema in BigQuery terms, read from DuckDB. */
  public TableSchema schemaOf(String project, String datasetId, String tableId) {
    List<TableFieldSchema> fields = new ArrayList<>();
    try (Connection c = root.duplicate();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                    + " WHERE table_catalog = ? AND table_schema = ? AND table_name = ?"
                    + " ORDER BY ordinal_position")) {
      ps.setString(1, project);
      ps.setString(2, datasetId);
      ps.setString(3, tableId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableFieldSchema f = DuckDbTypes.fieldSchemaOf(rs.getString(1), rs.getString(2));
          if ("NO".equals(rs.getString(3)) && !"REPEATED".equals(f.getMode())) {
            f.setMode("REQUIRED");
          }
          fields.add(f);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the schema of " + tableId + ": " + e, e);
    }
    return new TableSchema().setFields(fields);
  }

  public long rowCount(String project, String datasetId, String tableId) {
    return queryLong("SELECT count(*) FROM " + qualified(project, datasetId, tableId));
  }

  // ---------------------------------------------------------------- helpers

  public static void validateDatasetId(String datasetId) {
    if (!DATASET_ID.matcher(datasetId).matches()) {
      throw BigQueryError.invalid(
          "Invalid dataset ID \""
              + datasetId
              + "\". Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024"
              + " characters long.");
    }
  }

  public static void validateTableId(String tableId) {
    if (!TABLE_ID.matcher(tableId).matches()) {
      throw BigQueryError.invalid("Invalid table ID \"" + tableId + "\".");
    }
  }

  public static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  public static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  public static String qualified(String project, String datasetId, String tableId) {
    return quote(project) + "." + quote(datasetId) + "." + quote(tableId);
  }

  private static String key(String project, String datasetId) {
    return project + ":" + datasetId;
  }

  private void execute(String sql) {
    try (Connection c = root.duplicate();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw BigQueryError.backendError("Storage error: " + firstLine(e.getMessage()));
    }
  }

  private long queryLong(String sql, String... args) {
    try (Connection c = root.duplicate();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw BigQueryError.backendError("Storage error: " + firstLine(e.getMessage()));
    }
  }

  private List<String> queryStrings(String sql, String... args) {
    List<String> out = new ArrayList<>();
    try (Connection c = root.duplicate();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw BigQueryError.backendError("Storage error: " + firstLine(e.getMessage()));
    }
    return out;
  }

  /** The first line of an engine message, without DuckDB's caret diagram and suggestions. */
  public static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).trim();
  }

  @Override
  public void close() {
    try {
      root.close();
    } catch (SQLException ignored) {
      // closing an embedded database cannot fail in a way a caller could act on
    }
  }
}
