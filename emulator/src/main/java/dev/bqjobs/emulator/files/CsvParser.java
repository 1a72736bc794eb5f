package dev.bqjobs.emulator.files;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 4180 reader with BigQuery's CSV options: any one-character delimiter, a configurable (or
 * no) quote character, quoted newlines only when allowed. A malformed row comes back as a record
 * with an {@link Record#error}, and reading goes on at the next line, so a load can count bad rows
 * one by one the way {@code maxBadRecords} does.
 */
public final class CsvParser {
  private static final int NO_QUOTE = -2;

  /** One row: its fields, which were quoted, where it starts (character offset, line number). */
  public static final class Record {
    public final List<String> fields;
    public final List<Boolean> quoted;
    public final long offset;
    public final long line;

    /** Why the row could not be parsed, or null. */
    public final String error;

    Record(List<String> fields, List<Boolean> quoted, long offset, long line, String error) {
      this.fields = fields;
      this.quoted = quoted;
      this.offset = offset;
      this.line = line;
      this.error = error;
    }
  }

  private final Reader in;
  private final char delimiter;
  private final int quote;
  private final boolean allowQuotedNewlines;
  private final char[] buffer = new char[1 << 16];
  private int length;
  private int pos;
  private long consumed; // characters before buffer[0]
  private long line = 1;
  private int pushedBack = -1;

  public CsvParser(Reader in, char delimiter, String quote, boolean allowQuotedNewlines) {
    this.in = in;
    this.delimiter = delimiter;
    this.quote = quote == null ? '"' : quote.isEmpty() ? NO_QUOTE : quote.charAt(0);
    this.allowQuotedNewlines = allowQuotedNewlines;
  }

  private int read() throws IOException {
    if (pushedBack >= 0) {
      int c = pushedBack;
      pushedBack = -1;
      return c;
    }
    if (pos == length) {
      consumed += length;
      length = in.read(buffer, 0, buffer.length);
      pos = 0;
      if (length <= 0) {
        length = 0;
        return -1;
      }
    }
    return buffer[pos++];
  }

  private long position() {
    return consumed + pos - (pushedBack >= 0 ? 1 : 0);
  }

  /** Consumes the rest of a line ending {@code c} ({@code \r\n} counts once). */
  private void endOfLine(int c) throws IOException {
    if (c == '\r') {
      int next = read();
      if (next != '\n' && next != -1) {
        pushedBack = next;
      }
    }
    line++;
  }

  /** The next non-empty row, or null at the end of input. */
  public Record next() throws IOException {
    while (true) {
      long start = position();
      long startLine = line;
      int c = read();
      if (c == -1) {
        return null;
      }
      if (c == '\n' || c == '\r') {
        endOfLine(c); // blank lines hold no row
        continue;
      }
      pushedBack = c;
      return readRecord(start, startLine);
    }
  }

  private Record readRecord(long start, long startLine) throws IOException {
    List<String> fields = new ArrayList<>();
    List<Boolean> quotedFlags = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    while (true) {
      int c = read();
      boolean quoted = false;
      field.setLength(0);
      if (c == quote) {
        quoted = true;
        while (true) {
          c = read();
          if (c == -1) {
            return new Record(fields, quotedFlags, start, startLine, missingCloseQuote(start));
          }
          if (c == quote) {
            int next = read();
            if (next == quote) {
              field.append((char) quote);
              continue;
            }
            c = next;
            break;
          }
          if ((c == '\n' || c == '\r')) {
            if (!allowQuotedNewlines) {
              endOfLine(c);
              return new Record(fields, quotedFlags, start, startLine, missingCloseQuote(start));
            }
            if (c == '\r') {
              int next = read();
              if (next != '\n' && next != -1) {
                pushedBack = next;
                field.append('\r');
              } else if (next == '\n') {
                field.append("\r\n");
              } else {
                field.append('\r');
              }
            } else {
              field.append('\n');
            }
            line++;
            continue;
          }
          field.append((char) c);
        }
        if (c != delimiter && c != '\n' && c != '\r' && c != -1) {
          skipLine();
          return new Record(
              fields,
              quotedFlags,
              start,
              startLine,
              "Error detected while parsing row starting at position: "
                  + start
                  + ". Error: Data between close double quote (\") and field separator.");
        }
      } else {
        while (c != delimiter && c != '\n' && c != '\r' && c != -1) {
          field.append((char) c);
          c = read();
        }
      }
      fields.add(field.toString());
      quotedFlags.add(quoted);
      if (c == delimiter) {
        continue;
      }
      if (c != -1) {
        endOfLine(c);
      }
      return new Record(fields, quotedFlags, start, startLine, null);
    }
  }

  private static String missingCloseQuote(long start) {
    return "Error detected while parsing row starting at position: "
        + start
        + ". Error: Missing close double quote (\") character.";
  }

  private void skipLine() throws IOException {
    int c;
    while ((c = read()) != -1) {
      if (c == '\n' || c == '\r') {
        endOfLine(c);
        return;
      }
    }
  }
}
