package dev.bqjobs.emulator.sql;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.List;
import org.junit.Test;

public class TokenizerTest {
  private static List<String> values(String sql) {
    return Tokenizer.tokenize(sql).stream().map(Token::value).toList();
  }

  private static List<Kind> kinds(String sql) {
    return Tokenizer.tokenize(sql).stream().map(Token::kind).toList();
  }

  private static String error(String sql) {
    return assertThrows(SqlTranslationException.class, () -> Tokenizer.tokenize(sql)).getMessage();
  }

  @Test
  public void skipsAllThreeCommentStyles() {
    assertThat(values("SELECT -- a\n1 # b\n/* c\n d */ + 2"), contains("SELECT", "1", "+", "2"));
  }

  @Test
  public void decodesStringsOfEveryQuoting() {
    assertThat(
        values(
            "'a\\'b' \"c\\\"d\" '''e'f''' \"\"\"g\nh\"\"\" r'\\d' R\"\\n\" '\\x41\\u00e9\\n\\\\'"),
        contains("a'b", "c\"d", "e'f", "g\nh", "\\d", "\\n", "Aé\n\\"));
  }

  @Test
  public void distinguishesKinds() {
    assertThat(
        kinds("`a.b` x 1.5 b'\\x00' @p <= ("),
        contains(
            Kind.QUOTED_IDENT,
            Kind.WORD,
            Kind.NUMBER,
            Kind.BYTES,
            Kind.PARAM,
            Kind.SYMBOL,
            Kind.SYMBOL));
  }

  @Test
  public void numbersWithPointsAndExponents() {
    assertThat(values("1 1.5 .5 1e3 2E-2 0x1F"), contains("1", "1.5", ".5", "1e3", "2E-2", "0x1F"));
  }

  @Test
  public void reportsPositionsOfLexicalErrors() {
    assertThat(error("SELECT 'abc"), equalTo("Syntax error: Unclosed string literal at [1:8]"));
    assertThat(
        error("SELECT\n  \"a\nb\""), equalTo("Syntax error: Unclosed string literal at [2:3]"));
    assertThat(error("SELECT `abc"), equalTo("Syntax error: Unclosed identifier literal at [1:8]"));
    assertThat(error("SELECT 1 /* x"), equalTo("Syntax error: Unclosed comment at [1:10]"));
    assertThat(
        error("SELECT '\\q'"), equalTo("Syntax error: Illegal escape sequence: \\q at [1:9]"));
    assertThat(error("SELECT $"), equalTo("Syntax error: Illegal input character \"$\" at [1:8]"));
  }
}
