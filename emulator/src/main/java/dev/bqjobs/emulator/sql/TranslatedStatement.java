package dev.bqjobs.emulator.sql;

import java.util.List;
import java.util.Objects;

/**
 * A BigQuery statement rewritten for DuckDB, with what the job engine needs to know about it.
 *
 * @param duckDbSql the statement to run on a connection whose current catalog (and schema, with a
 *     default dataset) is set
 * @param statementType what BigQuery reports as {@code statistics.query.statementType}
 * @param targetTable the table (or view) a DML or table/view DDL statement writes, as written in
 *     the SQL; {@code null} for SELECT and schema statements
 * @param targetDataset the dataset a CREATE SCHEMA or DROP SCHEMA statement names, else {@code
 *     null}
 * @param referencedTables tables the statement reads (best effort, in order of appearance, no
 *     duplicates, CTE names left out)
 * @param parameters the distinct query parameters and script variables the statement uses; the k-th
 *     (from 1) is the placeholder {@code $k} in {@code duckDbSql}, to be bound as a value
 * @param orReplace {@code CREATE OR REPLACE}
 * @param ifNotExists {@code CREATE ... IF NOT EXISTS}
 * @param ifExists {@code DROP ... IF EXISTS}
 */
public record TranslatedStatement(
    String duckDbSql,
    StatementType statementType,
    TableName targetTable,
    DatasetName targetDataset,
    List<TableName> referencedTables,
    List<ParameterRef> parameters,
    boolean orReplace,
    boolean ifNotExists,
    boolean ifExists) {

  public TranslatedStatement {
    Objects.requireNonNull(duckDbSql, "duckDbSql");
    Objects.requireNonNull(statementType, "statementType");
    referencedTables = List.copyOf(referencedTables);
    parameters = List.copyOf(parameters);
  }

  /** The parameters' labels in placeholder order: names, or {@code ?N} for positional ones. */
  public List<String> parameterNames() {
    return parameters.stream().map(ParameterRef::label).toList();
  }
}
