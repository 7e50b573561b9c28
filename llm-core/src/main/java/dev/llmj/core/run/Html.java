package dev.llmj.core.run;

/**
 * Text put into HTML pages: model output and file contents are untrusted and must stay text.
 *
 * <pre>{@code
 * page.append("<blockquote>").append(Html.escape(completion)).append("</blockquote>");
 * }</pre>
 */
public final class Html {

  private Html() {}

  /** Escapes {@code s} for element content and for quoted attribute values. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
