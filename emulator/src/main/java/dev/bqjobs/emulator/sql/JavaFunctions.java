package dev.bqjobs.emulator.sql;

import com.google.common.hash.Hashing;
import com.google.common.io.BaseEncoding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.text.Normalizer;
import java.util.function.Function;
import org.duckdb.DuckDBFunctions;

/**
 * BigQuery functions DuckDB has no equivalent for, written in Java and registered on the database
 * as {@code bq_*} scalar functions: FARM_FINGERPRINT, SHA512, TO_BASE32, FROM_BASE32,
 * SAFE_CONVERT_BYTES_TO_STRING and NORMALIZE's forms. DuckDB's Java functions take and return
 * strings, not BLOBs, so bytes cross as hex text ({@code hex(x)} in, {@code unhex(...)} out); the
 * rewrites in {@link StringRewrites} do that. A user cannot call the {@code bq_*} names: {@link
 * FunctionCheck} refuses names outside the catalog.
 */
public final class JavaFunctions {
  private static final BaseEncoding HEX = BaseEncoding.base16();

  private JavaFunctions() {}

  /**
   * Registers the functions on {@code connection}'s database; connections duplicated from it see
   * them too.
   */
  public static void register(Connection connection) throws SQLException {
    DuckDBFunctions.scalarFunction()
        .withName("bq_farm_fingerprint")
        .withParameter(String.class)
        .withReturnType(Long.class)
        .withFunction(
            (String hex) -> Hashing.farmHashFingerprint64().hashBytes(HEX.decode(hex)).asLong())
        .withNullInNullOut()
        .register(connection);
    registerTextFunction(connection, "bq_sha512", hex -> HEX.encode(sha512(HEX.decode(hex))));
    registerTextFunction(
        connection, "bq_to_base32", hex -> BaseEncoding.base32().encode(HEX.decode(hex)));
    registerTextFunction(
        connection,
        "bq_from_base32_hex",
        base32 -> HEX.encode(BaseEncoding.base32().decode(base32)));
    // Java decodes malformed UTF-8 as U+FFFD, as SAFE_CONVERT_BYTES_TO_STRING does.
    registerTextFunction(
        connection,
        "bq_utf8_with_replacement",
        hex -> new String(HEX.decode(hex), StandardCharsets.UTF_8));
    DuckDBFunctions.scalarFunction()
        .withName("bq_normalize")
        .withParameters(String.class, String.class)
        .withReturnType(String.class)
        .withFunction(
            (String value, String form) ->
                Normalizer.normalize(value, Normalizer.Form.valueOf(form)))
        .withNullInNullOut()
        .register(connection);
  }

  /**
   * A one-argument function from text to text (hex or base32: DuckDB's Java functions take and
   * return strings), NULL for a NULL argument.
   */
  private static void registerTextFunction(
      Connection connection, String name, Function<String, String> function) throws SQLException {
    DuckDBFunctions.scalarFunction()
        .withName(name)
        .withParameter(String.class)
        .withReturnType(String.class)
        .withFunction(function)
        .withNullInNullOut()
        .register(connection);
  }

  private static byte[] sha512(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-512").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-512", e);
    }
  }
}
