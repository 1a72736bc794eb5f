package dev.bqjobs.emulator.sql;

/** BigQuery's {@code statistics.query.statementType} values that the local server can report. */
public enum StatementType {
  SELECT,
  INSERT,
  UPDATE,
  DELETE,
  MERGE,
  CREATE_TABLE,
  CREATE_TABLE_AS_SELECT,
  CREATE_VIEW,
  DROP_TABLE,
  DROP_VIEW,
  TRUNCATE_TABLE,
  CREATE_SCHEMA,
  DROP_SCHEMA,
  SCRIPT;

  /** True for INSERT, UPDATE, DELETE and MERGE: BigQuery reports numDmlAffectedRows for them. */
  public boolean isDml() {
    return this == INSERT || this == UPDATE || this == DELETE || this == MERGE;
  }

  /** True for the CREATE, DROP and TRUNCATE statements: BigQuery reports ddlOperationPerformed. */
  public boolean isDdl() {
    return this != SELECT && this != SCRIPT && !isDml();
  }
}
