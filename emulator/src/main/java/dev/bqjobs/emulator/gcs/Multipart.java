package dev.bqjobs.emulator.gcs;

import dev.bqjobs.emulator.errors.BigQueryError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits a MIME multipart body ({@code multipart/related} uploads, {@code multipart/mixed} batches)
 * into parts, each with its headers and bytes. Lines may end in CRLF or LF, as clients differ.
 */
final class Multipart {
  /** One part: headers (lower-case names) and content. */
  record Part(Map<String, String> headers, byte[] content) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private Multipart() {}

  /** The {@code boundary} parameter of a multipart content type; 400 when there is none. */
  static String boundary(String contentType) {
    if (contentType != null) {
      for (String param : contentType.split(";")) {
        String p = param.trim();
        if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
          String b = p.substring("boundary=".length()).trim();
          if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
            b = b.substring(1, b.length() - 1);
          }
          if (!b.isEmpty()) {
            return b;
          }
        }
      }
    }
    throw BigQueryError.invalid(
        "Malformed multipart body: the Content-Type '" + contentType + "' names no boundary.");
  }

  /** The parts between the boundaries; 400 when the body is not a well-formed multipart body. */
  static List<Part> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    List<Part> parts = new ArrayList<>();
    int at = indexOf(body, delimiter, 0);
    if (at < 0) {
      throw BigQueryError.invalid(
          "Malformed multipart body: boundary '" + boundary + "' not found.");
    }
    while (true) {
      int afterDelimiter = at + delimiter.length;
      if (startsWith(body, afterDelimiter, "--")) {
        return parts; // closing delimiter
      }
      int start = skipLineEnd(body, afterDelimiter);
      int next = indexOf(body, delimiter, start);
      if (next < 0) {
        throw BigQueryError.invalid(
            "Malformed multipart body: part "
                + (parts.size() + 1)
                + " is not closed by a boundary.");
      }
      int end = next;
      // the line break before the next delimiter belongs to the delimiter
      if (end > start && body[end - 1] == '\n') {
        end--;
        if (end > start && body[end - 1] == '\r') {
          end--;
        }
      }
      parts.add(part(Arrays.copyOfRange(body, start, end)));
      at = next;
    }
  }

  /** Headers up to the first empty line, then the content. */
  static Part part(byte[] bytes) {
    Map<String, String> headers = new LinkedHashMap<>();
    int pos = 0;
    while (pos < bytes.length) {
      int eol = indexOf(bytes, new byte[] {'\n'}, pos);
      int lineEnd = eol < 0 ? bytes.length : eol;
      String line =
          new String(bytes, pos, lineEnd - pos, StandardCharsets.UTF_8).replaceAll("\r$", "");
      pos = eol < 0 ? bytes.length : eol + 1;
      if (line.isEmpty()) {
        break;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    return new Part(headers, Arrays.copyOfRange(bytes, Math.min(pos, bytes.length), bytes.length));
  }

  private static int skipLineEnd(byte[] body, int pos) {
    int p = pos;
    while (p < body.length && (body[p] == ' ' || body[p] == '\t')) {
      p++;
    }
    if (p < body.length && body[p] == '\r') {
      p++;
    }
    if (p < body.length && body[p] == '\n') {
      p++;
    }
    return p;
  }

  private static boolean startsWith(byte[] body, int pos, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    if (pos + b.length > body.length) {
      return false;
    }
    for (int i = 0; i < b.length; i++) {
      if (body[pos + i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
