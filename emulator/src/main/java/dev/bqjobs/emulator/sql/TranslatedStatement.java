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
 * @param parameterNames the names of the {@code @name} query parameters, one per occurrence in
 *     order; each was replaced by a positional {@code ?} in {@code duckDbSql}
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
    List<String> parameterNames,
    boolean orReplace,
    boolean ifNotExists,
    boolean ifExists) {

  public TranslatedStatement {
    Objects.requireNonNull(duckDbSql, "duckDbSql");
    Objects.requireNonNull(statementType, "statementType");
    referencedTables = List.copyOf(referencedTables);
    parameterNames = List.copyOf(parameterNames);
  }
}
